import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/config/env";
import type { DbConfig } from "./client";

describe("lib/db/client", () => {
  const saved = { ...process.env };
  afterEach(async () => {
    const { disconnectDb } = await import("./client");
    await disconnectDb();
    process.env = { ...saved };
    resetEnvCache();
  });

  it("opens nothing at import time", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-client-"));
    process.env.PORTCULLIS_DATA_DIR = dir;
    delete process.env.DATABASE_URL;
    resetEnvCache();
    await import("./client");
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const config = (vars: Partial<DbConfig>): DbConfig => ({ NODE_ENV: "test", DATABASE_URL: undefined, PORTCULLIS_DATA_DIR: "./.data", PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION: false, ...vars });

  it("uses DATABASE_URL when set, memoized, and a client per process", async () => {
    const { databaseUrl, getDb } = await import("./client");
    const c = config({ DATABASE_URL: "postgresql://user@127.0.0.1:1/nowhere" });
    expect(await databaseUrl(c)).toBe("postgresql://user@127.0.0.1:1/nowhere");
    const [a, b] = await Promise.all([getDb(c), getDb(c)]);
    expect(a).toBe(b); // creating the client does not connect
  });

  it("refuses to open the embedded database under NODE_ENV=production without the opt-in", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-client-"));
    const { databaseUrl } = await import("./client");
    await expect(databaseUrl(config({ NODE_ENV: "production", PORTCULLIS_DATA_DIR: dir }))).rejects.toThrow(/PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION=true/);
    expect(fs.readdirSync(dir)).toEqual([]); // nothing opened
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
