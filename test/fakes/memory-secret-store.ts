import type { SealedSecret } from "@/lib/crypto/envelope";
import type { SecretRow, SecretStore } from "@/lib/crypto/rewrap";

/**
 * An in-memory SecretStore with the same semantics a database store must have: id-ordered
 * batches and compare-and-swap updates. Hooks let tests interleave a "concurrent" writer or a
 * crash exactly between a rewrap's read and its swap.
 */
export class MemorySecretStore implements SecretStore {
  readonly rows = new Map<string, SecretRow>();
  private sortedIds: string[] | null = null;
  /** Runs inside update(), before the compare: throw to simulate a crash, write to simulate a race. */
  beforeUpdate?: (id: string) => void | Promise<void>;
  updates = 0;

  put(row: SecretRow): void {
    if (!this.rows.has(row.id)) this.sortedIds = null;
    this.rows.set(row.id, structuredClone(row));
  }

  get(id: string): SecretRow | undefined {
    const row = this.rows.get(id);
    return row && structuredClone(row);
  }

  async listBatch(afterId: string | null, limit: number): Promise<SecretRow[]> {
    this.sortedIds ??= [...this.rows.keys()].sort();
    const ids = this.sortedIds;
    let lo = 0; // first index with id > afterId (binary search: the bench rewraps 10,000 rows)
    for (let hi = ids.length; afterId !== null && lo < hi; ) {
      const mid = (lo + hi) >>> 1;
      if (ids[mid]! <= afterId) lo = mid + 1;
      else hi = mid;
    }
    return ids.slice(lo, lo + limit).map((id) => structuredClone(this.rows.get(id)!));
  }

  async update(id: string, expected: SealedSecret, next: SealedSecret): Promise<boolean> {
    await this.beforeUpdate?.(id);
    const row = this.rows.get(id);
    if (!row || JSON.stringify(row.sealed) !== JSON.stringify(expected)) return false;
    this.rows.set(id, { ...row, sealed: structuredClone(next) });
    this.updates++;
    return true;
  }
}
