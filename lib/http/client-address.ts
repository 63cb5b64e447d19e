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
  if (trustedHops <= 0 || forwardedFor === undefined) return normalizeAddress(address);
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (let i = 0; i < trustedHops && hops.length > 0; i++) {
    const next = bareAddress(hops.pop()!);
    if (next === null) break;
    address = next;
  }
  return normalizeAddress(address);
}

/** `203.0.113.7`, `203.0.113.7:4711`, `2001:db8::1`, `[2001:db8::1]:4711` → the address; else null. */
function bareAddress(entry: string): string | null {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry);
  const candidate = bracketed ? bracketed[1]! : /^\d+\.\d+\.\d+\.\d+:\d{1,5}$/.test(entry) ? entry.slice(0, entry.lastIndexOf(":")) : entry;
  return net.isIP(candidate) === 0 ? null : candidate;
}

/** IPv4-mapped IPv6 (`::ffff:203.0.113.7`, what a dual-stack socket reports) as plain IPv4. */
export const normalizeAddress = (address: string) => (address.charCodeAt(0) === 0x3a /* : */ ? (MAPPED_IPV4.exec(address)?.[1] ?? address) : address);
const MAPPED_IPV4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/**
 * The key an address is counted under by per-address limits: IPv4 as it is, IPv6 by its /64 —
 * the block one subscriber usually gets, so rotating addresses within it doesn't help.
 */
export function keyOfAddress(address: string): string {
  address = normalizeAddress(address);
  if (!address.includes(":")) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("%")[0]!.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

