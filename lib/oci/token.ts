import type { Challenge } from "./challenge";
import { basicHeader, type BasicCredentials } from "./credentials";
import { isInsecureAllowed } from "./endpoint";
import { UpstreamError } from "./errors";
import { parseOciErrors } from "./manifest";
import { sendFollowingRedirects } from "./redirect";
import { readLimited, type NetworkPolicy } from "./transport";

/**
 * The Docker token flow (distribution "Token Authentication Specification"): GET the challenge's
 * realm with `service` and `scope`, HTTP Basic with the registry credentials (none: anonymous),
 * and read `token` (or OAuth2's `access_token`) and `expires_in` (default 60 s) from the answer.
 */

interface BearerToken {
  token: string;
  /** Local clock, ms; the server's issued_at may be skewed, so we count from when we got it. */
  expiresAt: number;
  obtainedAt: number;
}

export interface TokenRequest {
  challenge: Challenge;
  /** `repository:<name>:pull`, or undefined for a scope-less token (a ping). */
  scope?: string;
  credentials?: BasicCredentials;
  policy: NetworkPolicy & { insecureRegistries?: readonly string[] };
  signal?: AbortSignal;
  timeoutMs: number;
  userAgent: string;
}

const MAX_TOKEN_RESPONSE = 1024 * 1024;

export function realmOf(challenge: Challenge): URL {
  const realm = challenge.params.realm;
  let url: URL | undefined;
  try {
    url = realm ? new URL(realm) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
    throw new UpstreamError("protocol", "", `The registry's Bearer challenge has no usable realm URL (${JSON.stringify(realm ?? null).slice(0, 100)}).`);
  }
  return url;
}

export async function fetchBearerToken(req: TokenRequest): Promise<BearerToken> {
  const url = realmOf(req.challenge);
  const host = url.host;
  if (req.credentials && url.protocol === "http:" && !isInsecureAllowed(host, req.policy)) {
    throw new UpstreamError("insecure", host, `Refusing to send credentials to the token service http://${host} over plain HTTP.`);
  }
  if (req.challenge.params.service) url.searchParams.set("service", req.challenge.params.service);
  if (req.scope) url.searchParams.append("scope", req.scope);
  if (req.credentials) url.searchParams.set("account", req.credentials.username);

  const headers: Record<string, string> = { accept: "application/json", "user-agent": req.userAgent };
  if (req.credentials) headers.authorization = basicHeader(req.credentials);
  const res = await sendFollowingRedirects(
    { url, method: "GET", headers, signal: req.signal, timeoutMs: req.timeoutMs, idleTimeoutMs: req.timeoutMs, policy: req.policy },
    url.origin,
  );
  const body = await readLimited(res.body, MAX_TOKEN_RESPONSE);
  const where = `${url.origin}${url.pathname}`;
  if (res.status !== 200) {
    const oci = parseOciErrors(body)[0];
    const said = oci?.message ? `: ${oci.message}` : "";
    const retryAfter = Number(res.headers["retry-after"]);
    const what =
      res.status === 401
        ? `Credentials rejected by the token service ${where} (HTTP 401${said}).`
        : res.status === 403
          ? `The token service ${where} refused access (HTTP 403${said}).`
          : res.status === 429
            ? `Rate limited by the token service ${where} (HTTP 429).`
            : `The token service ${where} answered HTTP ${res.status}${said}.`;
    throw new UpstreamError("auth", host, what, { status: res.status, ...(Number.isFinite(retryAfter) && { retryAfterSeconds: retryAfter }) });
  }
  let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    doc = JSON.parse(body.toString("utf8"));
  } catch {
    throw new UpstreamError("protocol", host, `The token service ${where} did not answer JSON.`);
  }
  const token = typeof doc.token === "string" && doc.token ? doc.token : typeof doc.access_token === "string" ? doc.access_token : "";
  if (!token) throw new UpstreamError("protocol", host, `The token service ${where} answered without a token.`);
  const expiresIn = typeof doc.expires_in === "number" && doc.expires_in > 0 ? doc.expires_in : 60;
  const obtainedAt = Date.now();
  return { token, obtainedAt, expiresAt: obtainedAt + expiresIn * 1000 };
}
