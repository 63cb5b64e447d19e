import { Resolver } from "node:dns/promises";
import { env } from "@/lib/config/env";

/**
 * TXT lookups for domain verification, through DNS_RESOLVER (`host:port`) when set, else the
 * system's resolvers. Answers "" for a name with no TXT record, throws for a server that fails.
 */

export const CHALLENGE_PREFIX = "_portcullis-challenge";
export const VERIFICATION_PREFIX = "portcullis-verification=";

export const challengeName = (domain: string) => `${CHALLENGE_PREFIX}.${domain}`;
export const challengeValue = (token: string) => `${VERIFICATION_PREFIX}${token}`;

/** `host:port` → the form node:dns takes (`1.2.3.4:53`, `[::1]:53`); port 53 when absent. */
function serverOf(spec: string): string {
  const v6 = spec.match(/^\[([^\]]+)\](?::(\d+))?$/);
  if (v6) return `[${v6[1]}]:${v6[2] ?? 53}`;
  return spec.includes(":") ? spec : `${spec}:53`;
}

export function txtResolver(spec: string | undefined = env().DNS_RESOLVER): Resolver {
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  if (spec) resolver.setServers([serverOf(spec)]);
  return resolver;
}

/** Every TXT record at `name`, each joined from its strings (RFC 7208 §3.3). */
export async function lookupTxt(name: string, resolver: Resolver = txtResolver()): Promise<string[]> {
  try {
    return (await resolver.resolveTxt(name)).map((parts) => parts.join(""));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOTFOUND" || code === "ENODATA") return [];
    throw e;
  }
}
