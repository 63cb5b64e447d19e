import { getLicenseInstructions } from "@/lib/licenses/instructions/operation";
import { invoke } from "@/lib/server/operation";
import { signedIn } from "@/lib/server/session-auth";
import { fileResponse } from "@/lib/http/responses";
import { defineRoute } from "@/lib/http/route";

/** The license's pull secret (YAML) for the signed-in vendor: the license page's "Download pull secret". */
export const GET = defineRoute({
  auth: signedIn("Sign in to download pull secrets."),
  errors: "text",
  async handler({ req, caller, params }) {
    const query = Object.fromEntries(new URL(req.url).searchParams);
    const i = await invoke(getLicenseInstructions, caller, { namespace: query.namespace, additionalNamespaces: query.additionalNamespaces, id: params.id });
    return fileResponse(i.pullSecretYaml, { contentType: "application/yaml; charset=utf-8", filename: `${i.pullSecretName}.yaml` });
  },
});
