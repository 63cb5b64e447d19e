import { secrets, type SealedSecret, type SecretAAD } from "@/lib/crypto";

/**
 * A person's TOTP secret, sealed by the KMS like every secret (lib/crypto). It belongs to a person,
 * not a team: the user's id stands in the team's place in the associated data, so the sealed value
 * opens only as this user's TOTP secret.
 */
export const totpSecretAAD = (userId: string): SecretAAD => ({ teamId: userId, recordId: userId, field: "totpSecret", purpose: "two-factor-totp" });

export function sealTotpSecret(userId: string, secret: Buffer): Promise<SealedSecret> {
  return secrets.encrypt(secret, totpSecretAAD(userId));
}

export function openTotpSecret(userId: string, sealed: unknown): Promise<Buffer> {
  return secrets.decryptBytes(sealed as SealedSecret, totpSecretAAD(userId));
}
