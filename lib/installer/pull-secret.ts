import { dump } from "js-yaml";
import { licenseBasicCredentials } from "@/lib/licenses/license-login";

/**
 * The image pull secret (docs/contracts.md, "Pull secret"): a `kubernetes.io/dockerconfigjson`
 * Secret named `<app-slug>-registry` whose `auths` has the proxy host and the registry host, each
 * with `auth = base64("LICENSE_ID:" + licenseId)` — the login the proxy and the hosted registry
 * accept.
 */

interface PullSecretInput {
  appSlug: string;
  licenseId: string;
  proxyHost: string;
  registryHost: string;
  namespace?: string;
}

export const pullSecretName = (appSlug: string) => `${appSlug}-registry`;

export const licenseAuth = licenseBasicCredentials;

/** The `.dockerconfigjson` document (also what `skopeo --authfile` and `docker login` store). */
export function dockerConfigJson(input: Pick<PullSecretInput, "licenseId" | "proxyHost" | "registryHost">): { auths: Record<string, { auth: string }> } {
  const auth = licenseAuth(input.licenseId);
  const auths: Record<string, { auth: string }> = {};
  for (const host of [input.proxyHost, input.registryHost]) auths[host] = { auth };
  return { auths };
}

interface SecretManifest {
  apiVersion: "v1";
  kind: "Secret";
  metadata: { name: string; namespace?: string };
  type: "kubernetes.io/dockerconfigjson";
  data: { ".dockerconfigjson": string };
}

export function pullSecret(input: PullSecretInput): SecretManifest {
  const json = JSON.stringify(dockerConfigJson(input));
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: pullSecretName(input.appSlug), ...(input.namespace && { namespace: input.namespace }) },
    type: "kubernetes.io/dockerconfigjson",
    data: { ".dockerconfigjson": Buffer.from(json, "utf8").toString("base64") },
  };
}

export function pullSecretYaml(input: PullSecretInput): string {
  return dump(pullSecret(input), { lineWidth: -1 });
}
