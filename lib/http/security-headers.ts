/**
 * The security headers of every portal response (set by proxy.ts, Next's request proxy): a
 * nonce-based Content-Security-Policy, and HSTS when the portal is reached over HTTPS.
 * Framework-free, so it is unit-tested directly.
 */

/** 128 random bits, base64: a fresh one per request. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The policy for one response. Scripts run only with this response's nonce (Next puts it on its
 * own scripts) or when loaded by such a script ('strict-dynamic'); an injected <script> or inline
 * handler does not run. Styles allow 'unsafe-inline': React writes style attributes (Next's
 * error, not-found and route-announcer elements do), which a nonce can't cover, and CSS can't run
 * script under this script-src. Development adds 'unsafe-eval', which React's dev tooling needs.
 */
export function contentSecurityPolicy(nonce: string, opts: { dev?: boolean } = {}): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

/**
 * Whether the browser reached the portal over HTTPS: PORTAL_URL says https, or the reverse proxy
 * in front says so in X-Forwarded-Proto. (A browser ignores HSTS received over plain HTTP, so a
 * client that fakes the header gains nothing.)
 */
export function servedOverHttps(headers: Headers, portalUrl: string | undefined): boolean {
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return proto === "https" || (portalUrl ?? "").toLowerCase().startsWith("https://");
}

/** One year, subdomains not included (the portal's domain may host other sites). */
export const HSTS = "max-age=31536000";

/** The headers proxy.ts adds to a response. */
export function securityHeaders(nonce: string, opts: { https: boolean; dev?: boolean }): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(nonce, { dev: opts.dev }),
    ...(opts.https && { "Strict-Transport-Security": HSTS }),
  };
}
