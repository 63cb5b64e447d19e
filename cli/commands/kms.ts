import { stringFlags, booleanFlags } from "@/cli/args";
import { defineCommand, type Command, type CommandIO } from "@/cli/command";
import { UsageError, UserError } from "@/cli/errors";
import { secrets } from "@/lib/crypto";
import type { EnvelopeOptions } from "@/lib/crypto/envelope";
import type { KeyRef } from "@/lib/crypto/key-provider";
import { describeKey } from "@/lib/crypto/errors";
import { rewrapSecrets, RewrapInterruptedError, status, type RewrapReport, type SecretStore } from "@/lib/crypto/rewrap";

/**
 * `portcullis kms status` and `portcullis kms rewrap`. Storage is injected: the commands get a
 * SecretStore from a factory, so they run against PostgreSQL, the embedded database or a test
 * store alike. cli/commands/index.ts passes the database's (lib/crypto/prisma-store.ts).
 */
export interface OpenedStore {
  store: SecretStore;
  close(): Promise<void>;
}

export interface KmsCommandDeps {
  openStore(): Promise<OpenedStore>;
  envelope(): EnvelopeOptions;
}

/** The kms commands on the process's database (DATABASE_URL or the embedded one). */
export const databaseKmsDeps = (openStore: () => Promise<OpenedStore>): KmsCommandDeps => ({
  openStore,
  envelope: () => secrets.envelopeOptions(),
});

async function withStore<T>(deps: KmsCommandDeps, fn: (store: SecretStore) => Promise<T>): Promise<T> {
  const opened = await deps.openStore();
  try {
    return await fn(opened.store);
  } finally {
    await opened.close();
  }
}

const STATUS_USAGE = `Usage: portcullis kms status [--json]

Counts stored secrets per KMS provider, key and key version, and marks the key new secrets
are written under. A key (version) can be retired once no secrets use it. Also counts
orphaned secrets: sealed data whose license, registry or team no longer exists (0 expected).`;

const REWRAP_USAGE = `Usage: portcullis kms rewrap [--dry-run] [--batch N] [--after ID] [--json]

Moves the wrapped data key of every stored secret that is not on the active key (KMS_PROVIDER
and its key settings) to it, in batches of N (default 100). Secrets themselves are not
re-encrypted, the portal keeps serving, and an interrupted run is resumed by running it again
(or with --after <last id printed>). --dry-run only counts.`;

export function kmsCommands(deps: KmsCommandDeps): Command[] {
  return [
    defineCommand({
      path: ["kms", "status"],
      summary: "Count stored secrets per KMS provider, key and version",
      usage: STATUS_USAGE,
      flags: { ...booleanFlags("json") },
      async run({ values }, io) {
        let active!: KeyRef;
        const report = await withStore(deps, async (store) => {
          const counted = await status(store, (active = await deps.envelope().provider.activeKey()));
          return store.countOrphans ? { ...counted, orphans: await store.countOrphans() } : counted;
        });
        if (values.json) return io.out(JSON.stringify(report, null, 2));
        io.out(`Active key: ${describeKey(active)}`);
        table(io, ["PROVIDER", "KEY", "VERSION", "SECRETS", ""], report.keys.map((k) => [k.provider, k.keyId, k.keyVersion, String(k.count), k.active ? "active" : ""]));
        io.out(`Total: ${report.total} secret(s)`);
        if (report.orphans !== undefined) io.out(`Orphaned: ${report.orphans} secret(s) whose license, registry or team no longer exists`);
      },
    }),
    defineCommand({
      path: ["kms", "rewrap"],
      summary: "Move stored secrets' data keys to the active KMS key",
      usage: REWRAP_USAGE,
      flags: { ...stringFlags("batch", "after"), ...booleanFlags("dry-run", "json") },
      async run({ values }, io) {
        const batchSize = values.batch === undefined ? 100 : Number(values.batch);
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new UsageError("--batch must be an integer from 1 to 10000");
        const envelope = deps.envelope();
        let report: RewrapReport;
        try {
          report = await withStore(deps, (store) =>
            rewrapSecrets(store, {
              ...envelope,
              batchSize,
              dryRun: !!values["dry-run"],
              after: values.after ?? null,
              onBatch: (r) => io.err(`… ${r.scanned} scanned, last id ${r.lastId}`),
            }),
          );
        } catch (e) {
          if (e instanceof RewrapInterruptedError) throw new UserError(`${e.message}; run it again to resume`);
          throw e;
        }
        if (values.json) io.out(JSON.stringify(report, null, 2));
        else summarize(io, report);
        if (report.failed.length > 0) {
          throw new UserError(`${report.failed.length} secret(s) could not be rewrapped (first: ${report.failed[0]!.id}, ${report.failed[0]!.reason}, key ${report.failed[0]!.key})`);
        }
      },
    }),
  ];
}

function summarize(io: CommandIO, r: RewrapReport) {
  io.out(`Target key: ${describeKey(r.target)}${r.dryRun ? " (dry run: nothing written)" : ""}`);
  io.out(`Scanned ${r.scanned}: ${r.current} already on the target, ${r.dryRun ? `${r.pending} to rewrap` : `${r.rewrapped} rewrapped`}` + (r.conflicts ? `, ${r.conflicts} changed concurrently (left as written)` : ""));
}

function table(io: CommandIO, header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) io.out(r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd());
}
