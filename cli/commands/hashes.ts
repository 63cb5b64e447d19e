import { stringFlags, booleanFlags } from "@/cli/args";
import { defineCommand, type Command, type CommandIO } from "@/cli/command";
import { UsageError, UserError } from "@/cli/errors";
import { disconnectDb, getDb, type Db } from "@/lib/db/client";
import { hashKeyStatus, rehashLicenseIds } from "@/lib/licenses/rehash";

/**
 * `portcullis hashes status` and `portcullis hashes rehash`: the keys of the license ID and API
 * token hashes (TOKEN_HASH_KEYS, lib/auth/hash-keys.ts). Works on DATABASE_URL or the embedded
 * database, with the same key configuration as the portal.
 */
type OpenDb = () => Promise<{ db: Db; close: () => Promise<void> }>;

const STATUS_USAGE = `Usage: portcullis hashes status [--json]

Counts license IDs and (unrevoked) API tokens per hash key id, and marks the active key (the one
new hashes use) and keys that are no longer configured (their hashes no longer verify).
"auth-secret" is the legacy key: AUTH_SECRET, which keyed every hash made before TOKEN_HASH_KEYS.`;

const REHASH_USAGE = `Usage: portcullis hashes rehash [--dry-run] [--batch N] [--json]

Moves every license ID's hash to the active key (TOKEN_HASH_ACTIVE_KEY, or the last of
TOKEN_HASH_KEYS), computing it from the license ID's sealed copy, in batches of N (default 100).
The portal keeps serving; an interrupted run is resumed by running it again. --dry-run only counts.
API tokens are not rehashed (only their hash is stored): they keep verifying under their key
while it stays in TOKEN_HASH_KEYS; revoke and reissue them before removing it.`;

export function hashesCommands(deps: { openDb?: OpenDb } = {}): Command[] {
  const openDb: OpenDb = deps.openDb ?? (async () => ({ db: await getDb(), close: disconnectDb }));
  const withDb = async <T>(fn: (db: Db) => Promise<T>): Promise<T> => {
    const { db, close } = await openDb();
    try {
      return await fn(db);
    } finally {
      await close();
    }
  };
  return [
    defineCommand({
      path: ["hashes", "status"],
      summary: "Count license IDs and API tokens per hash key",
      usage: STATUS_USAGE,
      flags: { ...booleanFlags("json") },
      async run({ values }, io) {
        const report = await withDb(hashKeyStatus);
        if (values.json) return io.out(JSON.stringify(report, null, 2));
        io.out(`Active key: ${report.active}`);
        table(
          io,
          ["KEY", "LICENSES", "API TOKENS", ""],
          report.keys.map((k) => [k.keyId, String(k.licenses), String(k.apiTokens), k.active ? "active" : k.configured ? "" : "not configured: these no longer verify"]),
        );
      },
    }),
    defineCommand({
      path: ["hashes", "rehash"],
      summary: "Move license ID hashes to the active hash key",
      usage: REHASH_USAGE,
      flags: { ...stringFlags("batch"), ...booleanFlags("dry-run", "json") },
      async run({ values }, io) {
        const batchSize = values.batch === undefined ? 100 : Number(values.batch);
        if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new UsageError("--batch must be an integer from 1 to 10000");
        const report = await withDb((db) =>
          rehashLicenseIds(db, { batchSize, dryRun: !!values["dry-run"], onBatch: (r) => io.err(`… ${r.scanned} scanned, ${r.rehashed} rehashed`) }),
        );
        if (values.json) io.out(JSON.stringify(report, null, 2));
        else summarize(io, report);
        if (report.failed.length > 0) {
          throw new UserError(`${report.failed.length} license(s) could not be rehashed (first: ${report.failed[0]!.id}, ${report.failed[0]!.reason}); they keep their old key`);
        }
      },
    }),
  ];
}

function summarize(io: CommandIO, r: Awaited<ReturnType<typeof rehashLicenseIds>>) {
  io.out(`Target key: ${r.target}${r.dryRun ? " (dry run: nothing written)" : ""}`);
  io.out(`License IDs not on it: ${r.scanned}; ${r.dryRun ? "to rehash" : `rehashed ${r.rehashed}`}` + (r.conflicts ? `, ${r.conflicts} changed concurrently (run again)` : ""));
}

function table(io: CommandIO, header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) io.out(r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd());
}
