import { z } from "zod";
import type { RegistryCredentials } from "@/lib/oci/credentials";
import { parseEcrHost, validateEcrEndpoint } from "@/lib/oci/endpoint";
import { awsRegion } from "@/lib/config/env";
import { defineProvider, type ProviderSettings } from "./types";
import { cloudEndpoint, required, secretText } from "./shared";

/**
 * Amazon ECR: an IAM access key, traded by lib/oci for a 12-hour registry password
 * (GetAuthorizationToken). The access key ID is the username, the secret access key the secret.
 */

const hostOf = (endpoint: string) => {
  try {
    return new URL(endpoint.includes("://") ? endpoint : `https://${endpoint}`).hostname;
  } catch {
    return endpoint;
  }
};

/**
 * ECR's region comes from its host. A local stand-in (development, tests) has none: take the
 * SDK's usual AWS_REGION / AWS_DEFAULT_REGION, else us-east-1.
 */
function withEcrDefaults(creds: RegistryCredentials, endpoint: string, settings: ProviderSettings): RegistryCredentials {
  if (creds.kind !== "ecr" || creds.region || parseEcrHost(hostOf(endpoint))) return creds;
  return { ...creds, region: awsRegion(settings) };
}

export const ecr = defineProvider({
  id: "ecr",
  view: {
    tab: "Amazon ECR",
    usernameLabel: "Access key ID",
    endpoint: { placeholder: "123456789012.dkr.ecr.us-east-1.amazonaws.com", hint: "<account ID>.dkr.ecr.<region>.amazonaws.com" },
    notice: {
      text:
        "Use an IAM user or role whose policy allows `ecr:GetAuthorizationToken`, `ecr:BatchGetImage` and `ecr:GetDownloadUrlForLayer` — nothing more. " +
        "Portcullis trades the key for a 12-hour registry password whenever it needs one.",
      link: { href: "/tutorials/ecr", label: "ECR tutorial" },
    },
    fields: [
      { name: "accessKeyId", label: "Access key ID", newLabel: "New access key ID", input: "text", placeholder: "AKIAIOSFODNN7EXAMPLE" },
      { name: "secretAccessKey", label: "Secret access key", newLabel: "New secret access key", input: "password" },
    ],
  },
  apiLabel: 'Amazon ECR (`"ecr"`)',
  credentials: z.object({
    accessKeyId: required("Enter the access key ID.")
      .trim()
      .pipe(z.string().regex(/^[A-Z0-9]{16,128}$/, "An access key ID is 16 or more uppercase letters and digits, like AKIAIOSFODNN7EXAMPLE.")),
    secretAccessKey: secretText("Enter the secret access key.", 256)
      .transform((s) => s.trim())
      .pipe(z.string().min(1, "Enter the secret access key.").regex(/^\S+$/, "A secret access key has no spaces.")),
  }),
  secretField: "secretAccessKey",
  example: {
    endpoint: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
  },
  usernameOf: (c) => c.accessKeyId,
  fromStored: ({ username, secret }) => ({ accessKeyId: username, secretAccessKey: secret }),
  toOci: (c, endpoint, settings) =>
    withEcrDefaults(
      // AWS_ENDPOINT_URL_ECR: the ECR API endpoint override (VPC endpoints; the tests' fake ECR).
      { kind: "ecr", accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, endpoint: settings.AWS_ENDPOINT_URL_ECR },
      endpoint,
      settings,
    ),
  endpoint: cloudEndpoint(validateEcrEndpoint),
  ownHosts: {
    match: (hostname) => parseEcrHost(hostname) !== null,
    message: "This is an Amazon ECR endpoint: add it on the Amazon ECR tab, with an access key (ECR passwords expire after 12 hours).",
  },
  kindLabel: () => "Amazon ECR",
});
