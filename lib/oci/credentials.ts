import { AppError } from "@/lib/errors";

/**
 * Upstream credentials, as the portal decrypts them for the connection test and the proxy.
 * Every kind becomes HTTP Basic in the end (to the registry or to its token realm):
 * basic as given, ECR as `AWS:<token from GetAuthorizationToken>`, GCR as `_json_key:<JSON key>`.
 */
export type RegistryCredentials =
  | { kind: "anonymous" }
  | { kind: "basic"; username: string; password: string }
  | EcrCredentials
  | { kind: "gcr"; jsonKey: string };

export interface EcrCredentials {
  kind: "ecr";
  accessKeyId: string;
  secretAccessKey: string;
  /** Defaults to the region in the registry host (<acct>.dkr.ecr.<region>.amazonaws.com). */
  region?: string;
  /** ECR API endpoint override (tests' fake ECR, VPC endpoints). */
  endpoint?: string;
}

export interface BasicCredentials {
  username: string;
  password: string;
}

export function basicHeader({ username, password }: BasicCredentials): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** The user name shown in diagnostics: never a secret. */
export function describeUser(c: RegistryCredentials | undefined): string | undefined {
  switch (c?.kind) {
    case "basic":
      return c.username;
    case "ecr":
      return `AWS (access key ${c.accessKeyId})`;
    case "gcr":
      return "_json_key";
    default:
      return undefined;
  }
}

export interface ServiceAccountKey {
  type: "service_account";
  client_email: string;
  private_key: string;
  project_id?: string;
}

/**
 * Checks that a pasted/uploaded JSON key is a Google service-account key (what `_json_key`
 * needs). Messages name the problem, never the key's content.
 */
export function parseServiceAccountKey(jsonKey: string): ServiceAccountKey {
  const fail = (m: string) => new AppError("validation_failed", m, { fields: { jsonKey: m } });
  let parsed: unknown;
  try {
    parsed = JSON.parse(jsonKey);
  } catch {
    throw fail("The JSON key is not valid JSON. Paste the whole key file Google gave you.");
  }
  const k = parsed as Partial<ServiceAccountKey> | null;
  if (!k || typeof k !== "object" || k.type !== "service_account") throw fail('The JSON key is not a service-account key (its "type" must be "service_account").');
  if (typeof k.client_email !== "string" || !k.client_email.includes("@")) throw fail('The JSON key has no "client_email".');
  if (typeof k.private_key !== "string" || !k.private_key.includes("PRIVATE KEY")) throw fail('The JSON key has no "private_key".');
  return k as ServiceAccountKey;
}
