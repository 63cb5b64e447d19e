import { z } from "zod";
import "@/lib/validations/zod-config";

const NAMESPACE = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;
const namespaceMessage = "Use a Kubernetes namespace name: lowercase letters, digits and -, at most 63 characters.";
const namespaceSchema = z.string().trim().max(63, namespaceMessage).regex(NAMESPACE, namespaceMessage);

/** Which license, and where its pull secret goes (query parameters of the REST route, fields of the page's form). */
export const instructionsInputSchema = z.object({
  id: z.uuid("Unknown license."),
  namespace: z
    .union([z.literal(""), namespaceSchema])
    .optional()
    .transform((v) => v || undefined)
    .meta({ description: "The namespace the pull secret and the rewritten manifests go to (default: the app's slug).", example: "acme" }),
  additionalNamespaces: z
    .string()
    .max(1000, "List at most a few namespaces.")
    .optional()
    .transform((v, ctx) => {
      const list = [...new Set((v ?? "").split(",").map((s) => s.trim()).filter(Boolean))];
      for (const ns of list) {
        if (!namespaceSchema.safeParse(ns).success) {
          ctx.addIssue({ code: "custom", message: `"${ns.slice(0, 70)}" is not a namespace name. ${namespaceMessage}` });
          return z.NEVER;
        }
      }
      return list;
    })
    .meta({ description: "Comma-separated namespaces that get a copy of the pull secret.", example: "monitoring,jobs" }),
});

export type InstructionsInput = z.output<typeof instructionsInputSchema>;

const imageSchema = z.object({
  reference: z.string().meta({ description: "What the customer pulls." }),
  source: z.string().meta({ description: "The image as the vendor listed it." }),
  via: z.enum(["proxy", "hosted"]).meta({ description: "Through the registry proxy, or from the hosted registry." }),
  helmChart: z.boolean().meta({ description: "A Helm chart stored as an OCI artifact." }),
});

/** The instructions as the REST API answers them (lib/licenses/instructions/build.ts makes them). */
export const instructionsDtoSchema = z.object({
  licenseRef: z.uuid().meta({ description: "The license's record id." }),
  appSlug: z.string(),
  proxyHost: z.string(),
  registryHost: z.string(),
  namespace: z.string(),
  additionalNamespaces: z.array(z.string()),
  dockerLogin: z.string().meta({ description: "`docker login` per host the images come from, one per line; the license ID is the password." }),
  logins: z.array(z.object({ host: z.string(), command: z.string() })),
  images: z.array(imageSchema),
  pullCommands: z.string().meta({ description: "`docker pull` of each image (charts excepted), one per line." }),
  pullSecretName: z.string(),
  pullSecretYaml: z.string().meta({ description: "The `<slug>-registry` kubernetes.io/dockerconfigjson Secret, one document per namespace." }),
  helmValues: z.string().meta({ description: "Helm values: `imagePullSecrets` and a `global.imageRegistry` override." }),
  helmInstall: z.string().nullable().meta({ description: "`helm registry login` and `helm install oci://…` when the app ships a Helm chart." }),
  rewriteCommand: z.string().meta({ description: "`portcullis images rewrite` with every value filled in." }),
});
