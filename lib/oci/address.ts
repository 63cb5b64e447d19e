import dns from "node:dns";
import net from "node:net";
import { UpstreamError } from "./errors";

/**
 * SSRF guard for every upstream connection (docs/contracts.md, "Registry endpoints"): a registry
 * endpoint, token realm or blob redirect must not reach loopback, link-local (cloud metadata), private or unspecified
 * addresses unless the operator allows it (ALLOW_PRIVATE_HOSTS, or its older name ALLOW_PRIVATE_REGISTRY_HOSTS). Two entry points:
 *
 * - assertPublicAddress: resolve and check up front (the connection test's "Resolve host" step);
 * - createCheckedLookup: the same check *inside* the socket's DNS lookup, so the address we
 *   connect to is the address we checked (no DNS-rebinding window between check and connect).
 *
 * IP literals never reach a lookup function (net.connect skips DNS for them), so callers check
 * literals with classifyAddress / assertPublicAddress before connecting.
 */

export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "unspecified"
  | "carrier-grade NAT"
  | "multicast"
  | "documentation"
  | "reserved";

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type ResolveFn = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolve: ResolveFn = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

type Range = [prefix: number[], bits: number, cls: AddressClass];

const V4: Range[] = [
  [[0], 8, "unspecified"], // "this network"; 0.0.0.0 reaches the local host on Linux
  [[10], 8, "private"],
  [[100, 64], 10, "carrier-grade NAT"],
  [[127], 8, "loopback"],
  [[169, 254], 16, "link-local"], // includes 169.254.169.254, the cloud metadata service
  [[172, 16], 12, "private"],
  [[192, 0, 0], 24, "reserved"],
  [[192, 0, 2], 24, "documentation"],
  [[192, 88, 99], 24, "reserved"],
  [[192, 168], 16, "private"],
  [[198, 18], 15, "reserved"], // benchmarking
  [[198, 51, 100], 24, "documentation"],
  [[203, 0, 113], 24, "documentation"],
  [[224], 4, "multicast"],
  [[240], 4, "reserved"], // includes 255.255.255.255
];

const V6: Range[] = [
  [[], 128, "unspecified"], // ::
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback"],
  [[0x00, 0x64, 0xff, 0x9b, 0, 1], 48, "private"], // local-use NAT64
  [[0x01], 64, "reserved"], // 100::/64 discard
  [[0x20, 0x01, 0x0d, 0xb8], 32, "documentation"],
  [[0x20, 0x01], 23, "reserved"], // IETF protocol assignments: Teredo, ORCHID, benchmarking
  [[0xfc], 7, "private"], // unique local addresses
  [[0xfe, 0x80], 10, "link-local"],
  [[0xfe, 0xc0], 10, "private"], // deprecated site-local
  [[0xff], 8, "multicast"],
  [[], 96, "reserved"], // deprecated IPv4-compatible ::a.b.c.d
];

function inRange(bytes: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if (((bytes[byte] ?? 0) & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

function classifyV4(bytes: number[]): AddressClass {
  return V4.find(([p, bits]) => inRange(bytes, p, bits))?.[2] ?? "public";
}

/** 16 bytes of an IPv6 address (zone id dropped, "::" expanded, trailing dotted quad allowed). */
function ipv6Bytes(address: string): number[] {
  let text = address.replace(/%.*$/, "");
  const tail: number[] = [];
  const dotted = text.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    tail.push(...dotted[2]!.split(".").map(Number));
    text = dotted[1]!.endsWith("::") ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const [head, rest] = text.includes("::") ? text.split("::") : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(":").filter(Boolean).map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const r = groups(rest);
  const missing = 8 - tail.length / 2 - h.length - r.length;
  const all = [...h, ...Array(rest === undefined ? 0 : missing).fill(0), ...r];
  return [...all.flatMap((g) => [g >> 8, g & 0xff]), ...tail];
}

/** The class of an IP literal (v4 or v6). Embedded IPv4 (mapped, NAT64, 6to4) is judged by its IPv4 part. */
export function classifyAddress(address: string): AddressClass {
  const family = net.isIP(address.replace(/%.*$/, ""));
  if (family === 4) return classifyV4(address.split(".").map(Number));
  if (family !== 6) throw new TypeError(`not an IP address: ${address}`);
  const b = ipv6Bytes(address);
  if (inRange(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96)) return classifyV4(b.slice(12)); // ::ffff:a.b.c.d
  if (inRange(b, [0x00, 0x64, 0xff, 0x9b], 96)) return classifyV4(b.slice(12)); // NAT64 well-known prefix
  if (inRange(b, [0x20, 0x02], 16)) return classifyV4(b.slice(2, 6)); // 6to4
  return V6.find(([p, bits]) => inRange(b, p, bits))?.[2] ?? "public";
}

/** "harbor.example.com:8443" → "harbor.example.com"; "[::1]:5000" → "::1". */
export function hostnameOf(host: string): string {
  const v6 = host.match(/^\[([^\]]+)\](?::\d+)?$/);
  if (v6) return v6[1]!;
  if (net.isIP(host) === 6) return host;
  return host.replace(/:\d+$/, "");
}

export interface AddressPolicy {
  allowPrivate?: boolean;
  resolve?: ResolveFn;
}

function blocked(hostname: string, address: string, cls: AddressClass): UpstreamError {
  const what = address === hostname ? address : `${hostname} resolves to ${address}, which`;
  return new UpstreamError(
    "blocked",
    hostname,
    `${what} is a ${cls} address. Portcullis does not connect registries on loopback, link-local, private or unspecified addresses; an operator can allow them with ALLOW_PRIVATE_HOSTS=true.`,
    { code: "EADDRBLOCKED" },
  );
}

function dnsFailure(hostname: string, e: unknown): UpstreamError {
  const code = (e as NodeJS.ErrnoException).code;
  const message =
    code === "ENOTFOUND" || code === "ENODATA"
      ? `DNS name not found: ${hostname} has no address. Check the spelling of the endpoint.`
      : code === "EAI_AGAIN"
        ? `DNS lookup of ${hostname} failed temporarily (the DNS server did not answer). Try again.`
        : `DNS lookup of ${hostname} failed (${code ?? "unknown error"}).`;
  return new UpstreamError("dns", hostname, message, { code });
}

function check(hostname: string, addresses: ResolvedAddress[], allowPrivate: boolean): ResolvedAddress[] {
  if (addresses.length === 0) throw dnsFailure(hostname, Object.assign(new Error(), { code: "ENOTFOUND" }));
  if (!allowPrivate) {
    // Every address must be public: a name that mixes public and private answers is refused.
    for (const a of addresses) {
      const cls = classifyAddress(a.address);
      if (cls !== "public") throw blocked(hostname, a.address, cls);
    }
  }
  return addresses;
}

/**
 * Resolves `host` (host[:port] or an IP literal) and returns its addresses, or throws
 * UpstreamError: reason "dns" when the name does not resolve, "blocked" when any address is not
 * public and allowPrivate is off.
 */
export async function assertPublicAddress(host: string, policy: AddressPolicy = {}): Promise<ResolvedAddress[]> {
  const hostname = hostnameOf(host);
  const family = net.isIP(hostname);
  if (family) return check(hostname, [{ address: hostname, family: family as 4 | 6 }], !!policy.allowPrivate);
  let addresses: ResolvedAddress[];
  try {
    addresses = await (policy.resolve ?? systemResolve)(hostname);
  } catch (e) {
    throw dnsFailure(hostname, e);
  }
  return check(hostname, addresses, !!policy.allowPrivate);
}

/** A `lookup` for http.request / net.connect that refuses what assertPublicAddress refuses. */
export function createCheckedLookup(policy: AddressPolicy = {}): net.LookupFunction {
  return (hostname, options, callback) => {
    assertPublicAddress(hostname, policy).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        if (wanted.length === 0) return callback(Object.assign(new Error(`no IPv${options.family} address for ${hostname}`), { code: "ENOTFOUND" }), "", 0);
        if (options.all) callback(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (e: NodeJS.ErrnoException) => callback(e, "", 0),
    );
  };
}
