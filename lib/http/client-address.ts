import net from "node:net";

/**
 * The address a request came from (the proxy's refusal limit and pull log; the portal's server,
 * scripts/portal-server.ts, which hands Next this one address). Behind load balancers
 * the socket's peer is the last balancer; with `trustedHops` = the number of proxies in front of
 * this one (each appending to X-Forwarded-For), the client is the entry that many hops back —
 * Express's `trust proxy = n`. Entries the client wrote itself sit further left and are never
 * believed. Anything that isn't an IP address stops the walk at the last trusted one.
 */
export function clientAddress(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trustedHops: number): string {
  let address = remoteAddress ?? "unknown";
  if (trustedHops <= 0 || forwardedFor === undefined) return address;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (let i = 0; i < trustedHops && hops.length > 0; i++) {
    const next = hops.pop()!;
    if (net.isIP(next) === 0) break;
    address = next;
  }
  return address;
}
