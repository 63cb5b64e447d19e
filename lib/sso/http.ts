import http from "node:http";
import https from "node:https";
import net from "node:net";
import { assertPublicAddress, createCheckedLookup } from "@/lib/oci/address";
import { UpstreamError } from "@/lib/oci/errors";
import { readLimited, toUpstreamError } from "@/lib/oci/transport";

/**
 * Requests to an identity provider under the same SSRF rules as registry endpoints
 * (lib/oci/address.ts): the socket connects only to an address that passed the check, so a name
 * that resolves to a private address is refused unless the operator allows private hosts
 * (ALLOW_PRIVATE_HOSTS). Plain http:// only then, too. No redirects are followed.
 */

export interface IdpPolicy {
  allowPrivate: boolean;
  timeoutMs?: number;
}

export interface IdpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const MAX_BYTES = 512 * 1024;

/** Words for the "blocked" refusal that speak of identity providers, not registries. */
function reword(e: unknown): unknown {
  if (e instanceof UpstreamError) {
    e.message = e.message
      .replace("Portcullis does not connect registries", "Portcullis does not connect to identity providers")
      .replace("Is the registry running", "Is the identity provider running")
      .replace(" (a plain-HTTP registry? http:// is only allowed for registries the operator marks insecure)", "");
  }
  return e;
}

/** Checks a URL the provider named before anything is sent to it: scheme and address. */
export async function assertAllowedUrl(url: URL, policy: IdpPolicy): Promise<void> {
  if (url.protocol !== "https:" && !(url.protocol === "http:" && policy.allowPrivate)) {
    throw new UpstreamError("insecure", url.host, `${url.origin} is not https://. Identity providers must be reached over HTTPS.`);
  }
  try {
    await assertPublicAddress(url.hostname.replace(/^\[(.*)\]$/, "$1"), { allowPrivate: policy.allowPrivate });
  } catch (e) {
    throw reword(e);
  }
}

export async function idpRequest(
  url: URL,
  opts: { method?: "GET" | "POST"; headers?: Record<string, string>; body?: string; policy: IdpPolicy },
): Promise<IdpResponse> {
  const { policy } = opts;
  const timeoutMs = policy.timeoutMs ?? 10_000;
  await assertAllowedUrl(url, policy);
  const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const lookup = net.isIP(hostname) ? undefined : createCheckedLookup({ allowPrivate: policy.allowPrivate });
  const lib = url.protocol === "https:" ? https : http;
  return new Promise<IdpResponse>((resolve, reject) => {
    const headers: Record<string, string> = { accept: "application/json", "user-agent": "Portcullis", ...opts.headers };
    if (opts.body !== undefined) headers["content-length"] = String(Buffer.byteLength(opts.body));
    const request = lib.request(url, { method: opts.method ?? "GET", headers, agent: false, ...(lookup && { lookup }) });
    const timer = setTimeout(
      () => request.destroy(new UpstreamError("timeout", url.host, `Timed out: ${url.host} did not answer within ${timeoutMs / 1000} s.`, { code: "ETIMEDOUT" })),
      timeoutMs,
    );
    request.on("error", (e) => {
      clearTimeout(timer);
      reject(reword(toUpstreamError(url.host, e, timeoutMs)));
    });
    request.on("response", (res) => {
      readLimited(res, MAX_BYTES).then(
        (body) => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
    request.end(opts.body);
  });
}

/** The body as a JSON object, or an UpstreamError that says what came instead. */
export function jsonObjectOf(res: IdpResponse, what: string, host: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(res.body.toString("utf8"));
  } catch {
    throw new UpstreamError("protocol", host, `${what} is not JSON (HTTP ${res.status}, ${String(res.headers["content-type"] ?? "no content type")}).`, { status: res.status });
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new UpstreamError("protocol", host, `${what} is not a JSON object.`, { status: res.status });
  return value as Record<string, unknown>;
}
