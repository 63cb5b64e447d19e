import { UpstreamError } from "./errors";
import { discard, send, type TransportRequest, type TransportResponse } from "./transport";

/**
 * Follows redirects by hand. Registries send blob downloads to object storage (S3, GCS, a CDN)
 * with a 307 to a presigned URL; fetch-style automatic redirects would carry our Authorization
 * header along (or, for S3, break the presigned request with a second auth mechanism). Rule: the
 * credential headers go only to `credentialOrigin` (scheme+host+port); once a hop leaves it they
 * are dropped for good, even if a later hop comes back. Every hop passes the same SSRF checks.
 */

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];
const MAX_REDIRECTS = 5;

export async function sendFollowingRedirects(req: TransportRequest, credentialOrigin: string): Promise<TransportResponse> {
  let url = req.url;
  let headers = req.headers;
  for (let hop = 0; ; hop++) {
    if (url.origin !== credentialOrigin) headers = withoutCredentials(headers);
    const res = await send(url === req.url && headers === req.headers ? req : { ...req, url, headers });
    const location = res.headers.location;
    if (!REDIRECTS.has(res.status) || !location) return res;
    discard(res.body);
    if (hop >= MAX_REDIRECTS) throw new UpstreamError("protocol", url.host, `${req.url.host} redirected more than ${MAX_REDIRECTS} times.`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new UpstreamError("protocol", url.host, `${url.host} redirected to an invalid URL.`);
    }
    if (next.protocol !== "https:" && next.protocol !== "http:") {
      throw new UpstreamError("protocol", url.host, `${url.host} redirected to an unsupported ${next.protocol} URL.`);
    }
    url = next;
  }
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.includes(k.toLowerCase())));
}
