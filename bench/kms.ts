/**
 * KMS / envelope-encryption benchmark (not a test: no thresholds). Run: npx tsx bench/kms.ts
 *
 * Prints operations per second for the local provider — encrypt, decrypt without and with the
 * data-key cache — and the time to rewrap 10,000 rows, each as a ratio to a baseline measured in
 * the same run: one raw AES-256-GCM seal/open of the same secret with a fixed key (no envelope,
 * no data key, no wrapping). For contrast, decrypt through the AWS KMS fake over loopback HTTP
 * with the real SDK shows what the cache saves when unwrapping is a network call (a fake on
 * 127.0.0.1: real AWS adds tens of ms per call). The rewrap uses the in-memory store, so it
 * measures the crypto and the batching, not a database.
 */
import crypto from "node:crypto";
import os from "node:os";
import { KMSClient } from "@aws-sdk/client-kms";
import { buildAAD } from "@/lib/crypto/aad";
import { TtlCache } from "@/lib/crypto/cache";
import { decryptSecret, encryptSecret, type SealedSecret } from "@/lib/crypto/envelope";
import { gcmOpen, gcmSeal } from "@/lib/crypto/gcm";
import { AwsKmsProvider } from "@/lib/crypto/providers/aws-kms";
import { LocalKeyProvider } from "@/lib/crypto/providers/local";
import { rewrapSecrets } from "@/lib/crypto/rewrap";
import { startAwsKmsFake } from "@/test/fakes/aws-kms-fake";
import { MemorySecretStore } from "@/test/fakes/memory-secret-store";

const N = 20_000;
const REWRAP_ROWS = 10_000;
const SECRET = "ghp_" + "x".repeat(60); // a registry token-sized secret
const aad = { teamId: crypto.randomUUID(), recordId: crypto.randomUUID(), field: "password", purpose: "registry-credential" };
const k1 = { id: "k1", key: crypto.randomBytes(32) };
const v1 = new LocalKeyProvider([k1]);
const v2 = new LocalKeyProvider([k1, { id: "k2", key: crypto.randomBytes(32) }]);

async function opsPerSec(n: number, fn: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < Math.min(1000, n); i++) await fn(i); // warm-up
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return n / ((performance.now() - start) / 1000);
}

const rows: [string, string, string, string][] = [];
const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
function report(name: string, perSec: number, baseline: number) {
  rows.push([name, fmt(perSec), `${(1e6 / perSec).toFixed(1)} µs`, `${(perSec / baseline).toFixed(3)}×`]);
}

const ad = buildAAD(aad);
const rawKey = crypto.randomBytes(32);
const secretBytes = Buffer.from(SECRET);
const rawSealed = gcmSeal(rawKey, secretBytes, ad.bytes);
const baseSeal = await opsPerSec(N, () => gcmSeal(rawKey, secretBytes, ad.bytes));
const baseOpen = await opsPerSec(N, () => gcmOpen(rawKey, rawSealed, ad.bytes));

const sealed: SealedSecret[] = [];
for (let i = 0; i < N; i++) sealed.push(await encryptSecret(SECRET, aad, { provider: v1 }));
const encrypt = await opsPerSec(N, () => encryptSecret(SECRET, aad, { provider: v1 }));
const decrypt = await opsPerSec(N, (i) => decryptSecret(sealed[i]!, aad, { provider: v1 }));
const cache = new TtlCache<Buffer>({ ttlMs: 600_000, maxEntries: N });
for (const s of sealed) await decryptSecret(s, aad, { provider: v1, dataKeyCache: cache }); // fill
const decryptCached = await opsPerSec(N, (i) => decryptSecret(sealed[i]!, aad, { provider: v1, dataKeyCache: cache }));

report("baseline: raw AES-256-GCM seal", baseSeal, baseSeal);
report("local: encryptSecret", encrypt, baseSeal);
report("baseline: raw AES-256-GCM open", baseOpen, baseOpen);
report("local: decryptSecret, no cache", decrypt, baseOpen);
report("local: decryptSecret, data-key cache hit", decryptCached, baseOpen);

// Remote-style KMS: the fake AWS KMS over loopback HTTP through the real SDK.
const fake = await startAwsKmsFake();
const client = new KMSClient({ region: fake.region, endpoint: fake.url, credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "x" } });
const aws = new AwsKmsProvider({ keyId: fake.createKey(), client });
const awsSealed = await encryptSecret(SECRET, aad, { provider: aws });
const AWS_N = 1_000;
const awsDecrypt = await opsPerSec(AWS_N, () => decryptSecret(awsSealed, aad, { provider: aws }));
const awsCache = new TtlCache<Buffer>({ ttlMs: 600_000, maxEntries: 10 });
const awsDecryptCached = await opsPerSec(N, () => decryptSecret(awsSealed, aad, { provider: aws, dataKeyCache: awsCache }));
report("aws-kms fake (HTTP): decryptSecret, no cache", awsDecrypt, baseOpen);
report("aws-kms fake (HTTP): decryptSecret, cache hit", awsDecryptCached, baseOpen);
client.destroy();
await fake.close();

// Rewrap 10,000 rows k1 → k2 (in-memory store, batches of 100).
const store = new MemorySecretStore();
for (let i = 0; i < REWRAP_ROWS; i++) {
  const rowAad = { ...aad, recordId: `reg-${i}` };
  store.put({ id: `row-${String(i).padStart(5, "0")}`, aad: rowAad, sealed: await encryptSecret(SECRET, rowAad, { provider: v1 }) });
}
const start = performance.now();
const result = await rewrapSecrets(store, { provider: v2, batchSize: 100 });
const rewrapMs = performance.now() - start;
if (result.rewrapped !== REWRAP_ROWS) throw new Error(`rewrap moved ${result.rewrapped} rows, expected ${REWRAP_ROWS}`);
const rawTime10k = (REWRAP_ROWS / baseOpen + REWRAP_ROWS / baseSeal) * 1000;

console.log(`Portcullis KMS benchmark — node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}`);
console.log(`secret ${SECRET.length} bytes; ${N.toLocaleString("en-US")} ops per local measurement\n`);
const widths = [0, 1, 2, 3].map((c) => Math.max(...[["operation", "ops/s", "per op", "vs baseline"], ...rows].map((r) => r[c]!.length)));
for (const r of [["operation", "ops/s", "per op", "vs baseline"], ...rows]) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
console.log(
  `\nrewrap ${REWRAP_ROWS.toLocaleString("en-US")} rows local k1→k2 (in-memory store, batch 100): ${rewrapMs.toFixed(0)} ms ` +
    `(${fmt(REWRAP_ROWS / (rewrapMs / 1000))} rows/s; ${(rewrapMs / rawTime10k).toFixed(1)}× the time of 10,000 raw GCM open+seal = ${rawTime10k.toFixed(0)} ms)`,
);
