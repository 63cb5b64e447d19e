/**
 * The client address as the portal's code sees it (per-address sign-in limits, audit entries):
 * the rightmost X-Forwarded-For entry, else X-Real-IP. In production the portal's own server
 * (scripts/portal-server.ts) has replaced X-Forwarded-For with the one address it trusts and
 * dropped X-Real-IP, so this is that address. (`next start` alone would only fill the header in
 * when missing: a client could choose its own.)
 */
export function clientIpFromHeaders(headers: Pick<Headers, "get">): string | null {
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .pop();
  return last ?? headers.get("x-real-ip");
}
