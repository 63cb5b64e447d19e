/**
 * The client address the portal uses for per-address sign-in limits and audit entries: the
 * rightmost X-Forwarded-For entry, else X-Real-IP.
 *
 * Behind one reverse proxy that appends the connecting address (nginx's
 * `$proxy_add_x_forwarded_for`, cloud load balancers), the rightmost entry is the one that proxy
 * saw, and whatever the client wrote sits to its left, ignored. `next start` itself only fills
 * the header when it is absent (`??=` in Next's base server), so a portal exposed without a proxy
 * believes a client's own header: the per-address limit can then be dodged (the per-account
 * limit still holds). README: "Client addresses".
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
