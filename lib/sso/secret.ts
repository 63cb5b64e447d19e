import type { Db, Tx } from "@/lib/db/client";
import { secrets, type SealedSecret, type SecretAAD } from "@/lib/crypto";
import { SEALED_COLUMNS } from "@/lib/crypto/prisma-store";

/**
 * The SSO client secret at rest: sealed by lib/crypto into EncryptedSecret, bound to its team, its
 * TeamSso row and the field. Only the connection test and the sign-in read it; nothing returns it.
 */
export const SSO_SECRET_PURPOSE = "sso-client-secret";
const FIELD = "clientSecret";

const aadOf = (teamId: string, ssoId: string): SecretAAD => ({ teamId, recordId: ssoId, field: FIELD, purpose: SSO_SECRET_PURPOSE });

/** Seals with lib/crypto (a KMS call): do it before the transaction opens. */
export function sealSsoSecret(teamId: string, ssoId: string, plaintext: string) {
  return secrets.encrypt(plaintext, aadOf(teamId, ssoId));
}

export async function storeSsoSecret(tx: Tx, teamId: string, ssoId: string, sealed: SealedSecret) {
  const data = { ...sealed, purpose: SSO_SECRET_PURPOSE };
  await tx.encryptedSecret.upsert({
    where: { teamId_recordId_field: { teamId, recordId: ssoId, field: FIELD } },
    create: { teamId, recordId: ssoId, field: FIELD, ...data },
    update: data,
  });
}

/** The decrypted client secret, or null when none is stored. Server-side only. */
export async function loadSsoSecret(db: Db | Tx, sso: { id: string; teamId: string }): Promise<string | null> {
  const row = await db.encryptedSecret.findUnique({
    where: { teamId_recordId_field: { teamId: sso.teamId, recordId: sso.id, field: FIELD } },
    select: SEALED_COLUMNS,
  });
  return row ? secrets.decrypt(row as SealedSecret, aadOf(sso.teamId, sso.id)) : null;
}
