import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/config/env";

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

  it("uses DATABASE_URL when set, memoized, and a client per process", async () => {
    process.env.DATABASE_URL = "postgresql://user@127.0.0.1:1/nowhere";
    resetEnvCache();
    const { databaseUrl, getDb } = await import("./client");
    expect(await databaseUrl()).toBe("postgresql://user@127.0.0.1:1/nowhere");
    const [a, b] = await Promise.all([getDb(), getDb()]);
    expect(a).toBe(b); // creating the client does not connect
  });

  it("refuses to open the embedded database under NODE_ENV=production without the opt-in", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-client-"));
    Object.assign(process.env, { NODE_ENV: "production", AUTH_SECRET: "x".repeat(32), PORTCULLIS_DATA_DIR: dir });
    delete process.env.DATABASE_URL;
    delete process.env.PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION;
    resetEnvCache();
    const { databaseUrl } = await import("./client");
    await expect(databaseUrl()).rejects.toThrow(/PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION=true/);
    expect(fs.readdirSync(dir)).toEqual([]); // nothing opened
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
