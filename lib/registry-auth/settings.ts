import { generatedSecret } from "@/lib/config/data-dir";
import { env, type Env } from "@/lib/config/env";

/**
 * The fixed names that tie the portal's token service to the Distribution config that
 * `portcullis registry config` writes: the registry checks `aud` against `service` and `iss`
 * against `issuer`, so both sides take them from here.
 */
export const REGISTRY_SERVICE = "portcullis-registry";
export const REGISTRY_ISSUER = "portcullis";
/**
 * Token lifetime. A revoked token, license or membership keeps the access of a token already
 * issued until it expires (Distribution checks only the signature), plus Distribution's 60 s of
 * leeway: that is the revocation bound of the hosted registry for a client that holds a token.
 * New token requests are refused at once (nothing here caches).
 */
export const REGISTRY_TOKEN_TTL_SECONDS = 300;

export const REGISTRY_ROUTES = {
  /** The `realm` of Distribution's token auth. */
  token: "/api/registry/token",
  /** Distribution's notifications endpoint. */
  events: "/api/registry/events",
} as const;

const EVENTS_TOKEN_FILE = "registry-events-token";

/**
 * The bearer secret Distribution's notifications present: REGISTRY_EVENTS_TOKEN, or in
 * development one generated once into the data directory. Undefined in production when unset
 * (the events route then refuses everything).
 */
export function registryEventsToken(source: Env = env()): string | undefined {
  if (source.REGISTRY_EVENTS_TOKEN) return source.REGISTRY_EVENTS_TOKEN;
  if (source.NODE_ENV === "production") return undefined;
  return generatedSecret(EVENTS_TOKEN_FILE);
}
