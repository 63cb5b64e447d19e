import type { Db, Tx } from "@/lib/db/client";
import { secrets, type SealedSecret, type SecretAAD } from "@/lib/crypto";
import { LICENSE_SECRET_PURPOSE } from "./license-id";

/**
 * The sealed copy of a license ID, so vendors can see and copy it again. Lookups never use it:
 * they go by the keyed hash on the License row (lib/licenses/verify.ts).
 */
const FIELD = "licenseId";

const licenseSecretAAD = (teamId: string, licenseId: string): SecretAAD => ({
  teamId,
  recordId: licenseId,
  field: FIELD,
  purpose: LICENSE_SECRET_PURPOSE,
});

/** Seal before the transaction (a KMS call must not hold a database transaction open). */
export function sealLicenseId(teamId: string, licenseRowId: string, plaintext: string): Promise<SealedSecret> {
  return secrets.encrypt(plaintext, licenseSecretAAD(teamId, licenseRowId));
}

export async function storeSealedLicenseId(tx: Tx, teamId: string, licenseRowId: string, sealed: SealedSecret) {
  await tx.encryptedSecret.create({
    data: { teamId, recordId: licenseRowId, field: FIELD, purpose: LICENSE_SECRET_PURPOSE, ...sealed },
  });
}

/** The license ID in clear. Server-side only; callers check the caller's permission first. */
export async function revealLicenseId(db: Db | Tx, teamId: string, licenseRowId: string): Promise<string> {
  const row = await db.encryptedSecret.findUniqueOrThrow({
    where: { teamId_recordId_field: { teamId, recordId: licenseRowId, field: FIELD } },
    select: { formatVersion: true, provider: true, keyId: true, keyVersion: true, wrappedKey: true, iv: true, ciphertext: true, tag: true },
  });
  return secrets.decrypt(row as SealedSecret, licenseSecretAAD(teamId, licenseRowId));
}
