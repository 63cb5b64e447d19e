import type { Db } from "@/lib/db/client";
import { hashKeyring, LEGACY_HASH_KEY } from "@/lib/auth/hash-keys";
import { describeForLog } from "@/lib/log/redact";
import { licenseIdHashUnder } from "./license-id";
import { revealLicenseId } from "./secret";

/**
 * Status and rotation of the license ID and API token hash keys (lib/auth/hash-keys.ts), for
 * `portcullis hashes status` and `portcullis hashes rehash`.
 */
interface HashKeyUsage {
  keyId: string;
  licenses: number;
  apiTokens: number;
  active: boolean;
  /** Configured (or the legacy AUTH_SECRET key): hashes under it verify. */
  configured: boolean;
}

export async function hashKeyStatus(db: Db): Promise<{ active: string; keys: HashKeyUsage[] }> {
  const ring = hashKeyring();
  const [licenses, tokens] = await Promise.all([
    db.license.groupBy({ by: ["licenseIdHashKey"], _count: { _all: true } }),
    // Revoked tokens never authenticate again: they don't hold a key.
    db.apiToken.groupBy({ by: ["tokenHashKey"], where: { revokedAt: null }, _count: { _all: true } }),
  ]);
  const ids = new Set<string>([...ring.keys.map((k) => k.id), ...licenses.map((l) => l.licenseIdHashKey), ...tokens.map((t) => t.tokenHashKey)]);
  const keys = [...ids].map((keyId) => ({
    keyId,
    licenses: licenses.find((l) => l.licenseIdHashKey === keyId)?._count._all ?? 0,
    apiTokens: tokens.find((t) => t.tokenHashKey === keyId)?._count._all ?? 0,
    active: keyId === ring.active.id,
    configured: keyId === LEGACY_HASH_KEY || ring.keys.some((k) => k.id === keyId),
  }));
  return { active: ring.active.id, keys };
}

interface RehashReport {
  target: string;
  dryRun: boolean;
  scanned: number;
  rehashed: number;
  /** Changed (or deleted) while being rehashed: left as they are; a new run picks them up. */
  conflicts: number;
  failed: Array<{ id: string; reason: string }>;
}

/**
 * Moves every license ID hash that isn't under the active key to it, from the sealed copy of the
 * ID, in batches ordered by id. The License row is updated only if its hash is still the one read
 * (a concurrent change wins), so it is safe while the portal serves; an interrupted run is resumed
 * by running it again (rows already on the active key are skipped). A license whose sealed copy
 * can't be opened is reported and left under its old key.
 */
export async function rehashLicenseIds(
  db: Db,
  opts: { batchSize?: number; dryRun?: boolean; onBatch?: (r: RehashReport) => void } = {},
): Promise<RehashReport> {
  const target = hashKeyring().active.id;
  const report: RehashReport = { target, dryRun: !!opts.dryRun, scanned: 0, rehashed: 0, conflicts: 0, failed: [] };
  const batchSize = opts.batchSize ?? 100;
  let after: string | undefined;
  for (;;) {
    const rows = await db.license.findMany({
      where: { licenseIdHashKey: { not: target }, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true, teamId: true, licenseIdHash: true, licenseIdHashKey: true },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    report.scanned += rows.length;
    if (!opts.dryRun) {
      for (const row of rows) {
        try {
          const licenseId = await revealLicenseId(db, row.teamId, row.id);
          // The sealed copy must be the ID this row was hashed from, when its key is still known.
          const current = licenseIdHashUnder(row.licenseIdHashKey, licenseId);
          if (current !== null && current !== row.licenseIdHash) {
            report.failed.push({ id: row.id, reason: "the sealed license ID does not match the stored hash" });
            continue;
          }
          const newHash = licenseIdHashUnder(target, licenseId)!;
          const { count } = await db.license.updateMany({
            where: { id: row.id, teamId: row.teamId, licenseIdHash: row.licenseIdHash, licenseIdHashKey: row.licenseIdHashKey },
            data: { licenseIdHash: newHash, licenseIdHashKey: target },
          });
          if (count === 1) report.rehashed++;
          else report.conflicts++;
        } catch (e) {
          report.failed.push({ id: row.id, reason: describeForLog(e) });
        }
      }
    }
    opts.onBatch?.(report);
  }
  return report;
}
