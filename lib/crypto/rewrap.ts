import type { SecretAAD } from "./aad";
import { rewrapSealed, keyRefOf, usesKey, type EnvelopeOptions, type SealedSecret } from "./envelope";
import { DecryptionError, describeKey, KeyInUseError } from "./errors";
import { sameKey, type KeyRef, type ProviderName } from "./key-provider";

/**
 * Key rotation over any storage. The store lists rows in id order and updates with
 * compare-and-swap, so rewrap can run while the portal keeps reading and writing:
 *  - reads keep working throughout: a row is readable under its old key until the swap and
 *    under the new one after it;
 *  - a write that lands between our read and our swap wins (the swap fails, the row is counted
 *    as a conflict and left alone — it was just written under the active key anyway);
 *  - an interrupted run loses nothing: every swap is independent, and a rerun (or `after` =
 *    the reported lastId) picks up whatever still isn't on the target key.
 * Only the wrapped key and key fields change; iv, ciphertext and tag are carried over untouched.
 */
export interface SecretRow {
  id: string;
  sealed: SealedSecret;
  /** The row's own immutable ids: the context its data key is bound to. */
  aad: SecretAAD;
}

export interface SecretStore {
  /** Up to `limit` rows with id > afterId (all when null), ascending by id. */
  listBatch(afterId: string | null, limit: number): Promise<SecretRow[]>;
  /** Replaces the row's sealed secret only if it still equals `expected`; true when it did. */
  update(id: string, expected: SealedSecret, next: SealedSecret): Promise<boolean>;
  /** Optional fast path for status (e.g. SQL GROUP BY); otherwise status scans. */
  countByKey?(): Promise<KeyUsage[]>;
  /** Optional: secrets whose record (license, registry, team) no longer exists. */
  countOrphans?(): Promise<number>;
}

export interface KeyUsage extends KeyRef {
  count: number;
}

export interface RewrapOptions extends EnvelopeOptions {
  batchSize?: number;
  /** KMS calls in flight at once within a batch (default 4). */
  concurrency?: number;
  dryRun?: boolean;
  /** Resume after this id (a previous report's lastId). */
  after?: string | null;
  onBatch?: (report: RewrapReport) => void;
}

export interface RewrapReport {
  target: KeyRef;
  dryRun: boolean;
  scanned: number;
  /** Already on the target key. */
  current: number;
  rewrapped: number;
  /** Dry run: rows that would be rewrapped. */
  pending: number;
  /** Changed by someone else between our read and our swap; left as they are. */
  conflicts: number;
  /** Rows whose wrapped key could not be unwrapped (reason only, never contents). */
  failed: { id: string; reason: string; key: string }[];
  lastId: string | null;
}

export class RewrapInterruptedError extends Error {
  constructor(
    readonly report: RewrapReport,
    cause: unknown,
  ) {
    super(
      `rewrap interrupted after ${report.scanned} rows (resume after id ${report.lastId ?? "-"}): ${(cause as Error)?.message ?? String(cause)}`,
    );
    this.name = "RewrapInterruptedError";
  }
}

export async function rewrapSecrets(store: SecretStore, options: RewrapOptions): Promise<RewrapReport> {
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError("batch size must be a positive integer");
  const target = await options.provider.activeKey();
  const report: RewrapReport = {
    target,
    dryRun: !!options.dryRun,
    scanned: 0,
    current: 0,
    rewrapped: 0,
    pending: 0,
    conflicts: 0,
    failed: [],
    lastId: options.after ?? null,
  };
  try {
    for (;;) {
      const rows = await store.listBatch(report.lastId, batchSize);
      if (rows.length === 0) break;
      await forEachLimited(rows, options.concurrency ?? 4, (row) => rewrapRow(store, row, target, options, report));
      report.scanned += rows.length;
      report.lastId = rows.at(-1)!.id;
      options.onBatch?.(report);
      if (rows.length < batchSize) break;
    }
  } catch (e) {
    throw new RewrapInterruptedError(report, e);
  }
  return report;
}

async function rewrapRow(store: SecretStore, row: SecretRow, target: KeyRef, options: RewrapOptions, report: RewrapReport) {
  if (usesKey(row.sealed, target)) {
    report.current++;
    return;
  }
  if (options.dryRun) {
    report.pending++;
    return;
  }
  let next: SealedSecret;
  try {
    next = await rewrapSealed(row.sealed, row.aad, options);
  } catch (e) {
    // A row that doesn't decrypt is reported and skipped; a KMS outage stops the run.
    if (!(e instanceof DecryptionError)) throw e;
    report.failed.push({ id: row.id, reason: e.reason, key: describeKey(keyRefOf(row.sealed)) });
    return;
  }
  if (await store.update(row.id, row.sealed, next)) report.rewrapped++;
  else report.conflicts++;
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

export interface StatusReport {
  total: number;
  keys: (KeyUsage & { active: boolean })[];
  /** Secrets whose record no longer exists (`kms status`, when the store can tell). */
  orphans?: number;
}

/** How many stored secrets use each provider/key/version; `active` marks the current target. */
export async function status(store: SecretStore, active?: KeyRef): Promise<StatusReport> {
  const usage = store.countByKey ? await store.countByKey() : await countByScanning(store);
  const keys = usage
    .map((u) => ({ ...u, active: !!active && sameKey(u, active) }))
    .sort((a, b) => b.count - a.count || describeKey(a).localeCompare(describeKey(b)));
  return { total: keys.reduce((n, k) => n + k.count, 0), keys };
}

async function countByScanning(store: SecretStore): Promise<KeyUsage[]> {
  const counts = new Map<string, KeyUsage>();
  let after: string | null = null;
  for (;;) {
    const rows = await store.listBatch(after, 1000);
    for (const { sealed } of rows) {
      const id = JSON.stringify([sealed.provider, sealed.keyId, sealed.keyVersion]);
      const entry = counts.get(id) ?? { ...keyRefOf(sealed), count: 0 };
      entry.count++;
      counts.set(id, entry);
    }
    if (rows.length < 1000) break;
    after = rows.at(-1)!.id;
  }
  return [...counts.values()];
}

export interface RetireTarget {
  provider: ProviderName;
  keyId: string;
  /** Omitted: every version of the key. */
  keyVersion?: string;
}

/** Throws KeyInUseError unless no stored secret uses the key (version) and it is not the active one. */
export async function assertKeyRetirable(store: SecretStore, key: RetireTarget, active?: KeyRef): Promise<void> {
  const matches = (k: KeyRef) => k.provider === key.provider && k.keyId === key.keyId && (key.keyVersion === undefined || k.keyVersion === key.keyVersion);
  const label = describeKey({ ...key, keyVersion: key.keyVersion ?? "*" });
  if (active && matches(active)) {
    throw new KeyInUseError(`key ${label} is the active key: make another key active and rewrap before retiring it`);
  }
  const { keys } = await status(store);
  const inUse = keys.filter(matches).reduce((n, k) => n + k.count, 0);
  if (inUse > 0) {
    throw new KeyInUseError(`key ${label} is still used by ${inUse} stored secret(s): run \`portcullis kms rewrap\` first`);
  }
}
