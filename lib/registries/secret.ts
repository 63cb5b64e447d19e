import type { Db, Tx } from "@/lib/db/client";
import { secrets, type SealedSecret, type SecretAAD } from "@/lib/crypto";
import { SEALED_COLUMNS } from "@/lib/crypto/prisma-store";
import type { RegistryCredentials } from "@/lib/oci/credentials";
import { env } from "@/lib/config/env";
import { ociCredentialsFromStored, registryProvider, type RegistryProviderName } from "./providers";
import type { ProviderSettings } from "./providers/types";

/**
 * Registry credentials at rest. The secret part (the provider's secret field: password, ECR
 * secret access key, GCR JSON key) is sealed by lib/crypto into EncryptedSecret, bound to its
 * team, registry and field; the non-secret part (username, access key ID) lives on the Registry
 * row. Only the portal's server code and its internal API for the proxy call
 * `loadRegistryCredentials`; nothing sends the result to a browser.
 */
export const REGISTRY_SECRET_PURPOSE = "registry-credential";

/** The credential field that holds a provider's secret: the `field` of its EncryptedSecret row and AAD. */
export const secretFieldOf = (provider: RegistryProviderName): string => registryProvider(provider).secretField;

function registrySecretAAD(teamId: string, registryId: string, field: string): SecretAAD {
  return { teamId, recordId: registryId, field, purpose: REGISTRY_SECRET_PURPOSE };
}

/** Seals and stores (or replaces) a registry's secret inside the caller's transaction. */
export async function storeRegistrySecret(
  tx: Tx,
  ids: { teamId: string; registryId: string; field: string },
  plaintext: string,
) {
  const sealed = await secrets.encrypt(plaintext, registrySecretAAD(ids.teamId, ids.registryId, ids.field));
  const where = { teamId_recordId_field: { teamId: ids.teamId, recordId: ids.registryId, field: ids.field } };
  const data = { ...sealed, purpose: REGISTRY_SECRET_PURPOSE };
  await tx.encryptedSecret.upsert({
    where,
    create: { teamId: ids.teamId, recordId: ids.registryId, field: ids.field, ...data },
    update: data,
  });
  // A registry has one secret field; drop any left from a provider it no longer uses.
  await tx.encryptedSecret.deleteMany({ where: { teamId: ids.teamId, recordId: ids.registryId, field: { not: ids.field } } });
}

export async function deleteRegistrySecrets(tx: Tx, teamId: string, registryId: string) {
  await tx.encryptedSecret.deleteMany({ where: { teamId, recordId: registryId } });
}

/** Decrypts a registry's credentials into what lib/oci's client takes for its endpoint. Server-side only. */
export async function loadRegistryCredentials(
  db: Db | Tx,
  registry: { id: string; teamId: string; provider: RegistryProviderName; username: string; endpoint: string },
  settings: ProviderSettings = env(),
): Promise<RegistryCredentials> {
  const field = secretFieldOf(registry.provider);
  const row = await db.encryptedSecret.findUnique({
    where: { teamId_recordId_field: { teamId: registry.teamId, recordId: registry.id, field } },
    select: SEALED_COLUMNS,
  });
  if (!row) return registry.username ? { kind: "basic", username: registry.username, password: "" } : { kind: "anonymous" };
  const secret = await secrets.decrypt(row as SealedSecret, registrySecretAAD(registry.teamId, registry.id, field));
  return ociCredentialsFromStored(registry.provider, { username: registry.username, secret }, registry.endpoint, settings);
}
