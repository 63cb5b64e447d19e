import crypto from "node:crypto";
import { signJwt, type RegistryAccess, type RegistryClaims } from "./jwt";
import { REGISTRY_ISSUER, REGISTRY_SERVICE } from "./settings";
import { registrySigningKey, type RegistrySigningKey } from "./signing-key";

/**
 * Registry tokens the portal signs for its own use of a Distribution that trusts its signing key,
 * not for a person or a license: deleting a deleted app's images (./hosted-images.ts), and the
 * proxy cache's store (lib/cache/). Each is for exactly the access given, briefly.
 */

export interface PortalTokenRequest {
  /** The JWT `sub`: Distribution's notifications name it as the actor. */
  subject: string;
  access: RegistryAccess[];
  ttlSeconds: number;
  signingKey?: () => Promise<RegistrySigningKey>;
  now?: Date;
}

export interface PortalToken {
  token: string;
  expiresAt: Date;
}

export async function signPortalToken(req: PortalTokenRequest): Promise<PortalToken> {
  const key = await (req.signingKey ?? registrySigningKey)();
  const now = Math.floor((req.now ?? new Date()).getTime() / 1000);
  const exp = now + req.ttlSeconds;
  const claims: RegistryClaims = { iss: REGISTRY_ISSUER, sub: req.subject, aud: REGISTRY_SERVICE, exp, nbf: now - 5, iat: now, jti: crypto.randomUUID(), access: req.access };
  return { token: signJwt(claims, key.privateKey, key.kid), expiresAt: new Date(exp * 1000) };
}
