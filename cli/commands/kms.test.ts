import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { encryptSecret } from "@/lib/crypto/envelope";
import { LocalKeyProvider } from "@/lib/crypto/providers/local";
import { MemorySecretStore } from "@/test/fakes/memory-secret-store";
import { UserError } from "@/cli/errors";
import { commands } from ".";
import { kmsCommands } from "./kms";

const k1 = { id: "k1", key: crypto.randomBytes(32) };
const v1 = new LocalKeyProvider([k1]);
const v2 = new LocalKeyProvider([k1, { id: "k2", key: crypto.randomBytes(32) }]);

async function setup(n = 5) {
  const store = new MemorySecretStore();
  for (let i = 0; i < n; i++) {
    const aad = { teamId: "t", recordId: `r${i}`, field: "password", purpose: "registry-credential" };
    store.put({ id: `row-${i}`, aad, sealed: await encryptSecret(`pw${i}`, aad, { provider: v1 }) });
  }
  let closed = 0;
  const [statusCmd, rewrapCmd] = kmsCommands({
    openStore: async () => ({ store, close: async () => void closed++ }),
    envelope: () => ({ provider: v2 }),
  });
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  return { store, statusCmd: statusCmd!, rewrapCmd: rewrapCmd!, out, err, io, closed: () => closed };
}

describe("portcullis kms", () => {
  it("is registered as `kms status` and `kms rewrap`", () => {
    expect(commands.map((c) => c.path.join(" "))).toEqual(expect.arrayContaining(["kms status", "kms rewrap"]));
  });

  it("status prints counts per key and marks the active one", async () => {
    const t = await setup(3);
    await t.statusCmd.run([], t.io);
    expect(t.out.join("\n")).toMatch(/Active key: local:k2/);
    expect(t.out.join("\n")).toMatch(/local\s+k1\s+k1\s+3/);
    expect(t.out.join("\n")).toMatch(/Total: 3 secret/);
    // The memory store can't tell orphans: no line rather than a made-up zero.
    expect(t.out.join("\n")).not.toMatch(/Orphaned/);
    expect(t.closed()).toBe(1);
    t.out.length = 0;
    await t.statusCmd.run(["--json"], t.io);
    expect(JSON.parse(t.out.join("\n"))).toMatchObject({ total: 3, keys: [{ keyId: "k1", count: 3, active: false }] });
  });

  it("status counts orphaned secrets when the store can tell", async () => {
    const t = await setup(2);
    Object.assign(t.store, { countOrphans: async () => 1 });
    await t.statusCmd.run([], t.io);
    expect(t.out.join("\n")).toMatch(/Orphaned: 1 secret\(s\) whose license, registry or team no longer exists/);
    t.out.length = 0;
    await t.statusCmd.run(["--json"], t.io);
    expect(JSON.parse(t.out.join("\n"))).toMatchObject({ total: 2, orphans: 1 });
  });

  it("rewrap --dry-run counts; rewrap --batch 2 moves everything; status then shows k2 only", async () => {
    const t = await setup(5);
    await t.rewrapCmd.run(["--dry-run"], t.io);
    expect(t.out.join("\n")).toMatch(/5 to rewrap/);
    expect(t.store.updates).toBe(0);
    t.err.length = 0;
    await t.rewrapCmd.run(["--batch", "2"], t.io);
    expect(t.out.join("\n")).toMatch(/5 rewrapped/);
    expect(t.err.filter((l) => l.includes("scanned"))).toHaveLength(3);
    t.out.length = 0;
    await t.statusCmd.run(["--json"], t.io);
    expect(JSON.parse(t.out.join("\n")).keys).toEqual([{ provider: "local", keyId: "k2", keyVersion: "k2", count: 5, active: true }]);
  });

  it("bad --batch is a usage error; failed rows and interruptions are one-line user errors", async () => {
    const t = await setup(3);
    await expect(t.rewrapCmd.run(["--batch", "0"], t.io)).rejects.toThrow(/--batch/);
    const bad = t.store.get("row-1")!;
    t.store.put({ ...bad, aad: { ...bad.aad, teamId: "other" } });
    const failed = await t.rewrapCmd.run([], t.io).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(UserError);
    expect((failed as Error).message).toMatch(/1 secret\(s\) could not be rewrapped \(first: row-1, integrity, key local:k1\)/);

    const t2 = await setup(3);
    t2.store.beforeUpdate = () => {
      throw new Error("connection lost");
    };
    const interrupted = await t2.rewrapCmd.run([], t2.io).catch((e: unknown) => e);
    expect(interrupted).toBeInstanceOf(UserError);
    expect((interrupted as Error).message).toMatch(/interrupted.*connection lost; run it again to resume/);
    expect(t2.closed()).toBe(1);
  });
});
