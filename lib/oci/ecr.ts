import { defaultAuthCache, refreshAt, type AuthCache } from "./auth-cache";
import type { BasicCredentials, EcrCredentials } from "./credentials";
import { parseEcrHost } from "./endpoint";
import { UpstreamError } from "./errors";
import { toUpstreamError } from "./transport";

/**
 * ECR: trade the stored access key for a registry password with GetAuthorizationToken (valid
 * 12 h), then speak HTTP Basic `AWS:<password>` to the registry. The answer is cached until
 * shortly before its expiresAt, per (key, region, endpoint).
 */

export interface EcrAuthorization extends BasicCredentials {
  expiresAt: Date;
  proxyEndpoint?: string;
}

export interface EcrOptions {
  /** The registry host, for the region when the credentials don't name one. */
  registryHost?: string;
  cache?: AuthCache;
  timeoutMs?: number;
}

// Refresh 5 minutes early: a 12-hour token, and ECR rejects a request whose token dies mid-pull.
const MARGIN_MS = 5 * 60_000;

const EXPLAIN: Record<string, string> = {
  UnrecognizedClientException: "AWS does not recognise the access key ID",
  InvalidSignatureException: "the secret access key does not match the access key ID",
  SignatureDoesNotMatch: "the secret access key does not match the access key ID",
  AccessDeniedException: "the key is not allowed to call ecr:GetAuthorizationToken (check its IAM policy)",
  ExpiredTokenException: "the credentials have expired",
  InvalidClientTokenId: "AWS does not recognise the access key ID",
};

export function ecrRegion(creds: EcrCredentials, registryHost?: string): string {
  const region = creds.region ?? (registryHost ? parseEcrHost(registryHost.replace(/:\d+$/, ""))?.region : undefined);
  if (!region) throw new UpstreamError("auth", registryHost ?? "ecr", "No AWS region: the endpoint is not an ECR host and the credentials name no region.");
  return region;
}

export async function getEcrAuthorization(creds: EcrCredentials, opts: EcrOptions = {}): Promise<EcrAuthorization> {
  const region = ecrRegion(creds, opts.registryHost);
  const cache = opts.cache ?? defaultAuthCache;
  const key = `ecr|${region}|${creds.endpoint ?? ""}|${cache.fingerprint([creds.accessKeyId, creds.secretAccessKey])}`;
  return cache.getOrCreate(key, async () => {
    const value = await fetchEcrAuthorization(creds, region, opts);
    return { value, expiresAt: refreshAt(Date.now(), value.expiresAt.getTime(), MARGIN_MS) };
  });
}

async function fetchEcrAuthorization(creds: EcrCredentials, region: string, opts: EcrOptions): Promise<EcrAuthorization> {
  const apiHost = creds.endpoint ? new URL(creds.endpoint).host : `api.ecr.${region}.amazonaws.com`;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // Loaded on first use: the SDK is large and most registries are not ECR.
  const { ECRClient, GetAuthorizationTokenCommand } = await import("@aws-sdk/client-ecr");
  const client = new ECRClient({
    region,
    endpoint: creds.endpoint,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    maxAttempts: 2,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs },
  });
  try {
    // No abort signal: this call is shared by concurrent callers (AuthCache.getOrCreate); the
    // request handler's timeouts bound it.
    const out = await client.send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData?.[0];
    if (!data?.authorizationToken || !data.expiresAt) throw new UpstreamError("protocol", apiHost, "ECR GetAuthorizationToken returned no token.");
    const decoded = Buffer.from(data.authorizationToken, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) throw new UpstreamError("protocol", apiHost, "ECR GetAuthorizationToken returned a malformed token.");
    return {
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
      expiresAt: data.expiresAt,
      proxyEndpoint: data.proxyEndpoint,
    };
  } catch (e) {
    throw explain(apiHost, e);
  } finally {
    client.destroy();
  }
}

/** AWS errors in words; only the AWS error name and status go in, never the request. */
function explain(apiHost: string, e: unknown): UpstreamError {
  if (e instanceof UpstreamError) return e;
  const err = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined && err.name) {
    const why = EXPLAIN[err.name] ?? `AWS answered ${err.name}`;
    return new UpstreamError("auth", apiHost, `ECR GetAuthorizationToken failed: ${why} (${err.name}, HTTP ${status}).`, { code: err.name, status });
  }
  const net = toUpstreamError(apiHost, e);
  return new UpstreamError(net.reason, apiHost, `ECR GetAuthorizationToken failed: ${net.message}`, { code: net.code });
}
