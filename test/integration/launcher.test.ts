import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv } from "@/test/support/registry/process";

/** `npm start` (scripts/start.ts) with a clean environment plus `env`. */
function start(env: Record<string, string>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-launcher-"));
  try {
    const res = spawnSync(process.execPath, ["--import", "tsx", path.join("scripts", "start.ts")], {
      env: cleanEnv(os.homedir(), { PORTCULLIS_DATA_DIR: dataDir, ...env }),
      encoding: "utf8",
      timeout: 60_000,
    });
    return { ...res, dataDirEntries: fs.readdirSync(dataDir) };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe("launcher (npm start)", () => {
  it("refuses the embedded database under NODE_ENV=production without the opt-in, in one line naming both variables", () => {
    const res = start({ NODE_ENV: "production", AUTH_SECRET: "a".repeat(32) });
    expect(res.status).toBe(1);
    expect(res.stderr.trim()).toBe(
      "Invalid configuration: DATABASE_URL is required when NODE_ENV=production (or set PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION=true to use the embedded database)",
    );
    expect(res.dataDirEntries).toEqual([]); // the database was never opened
  });

  it("with the opt-in it goes on (here to the next check: no production build in this folder)", () => {
    const res = start({
      NODE_ENV: "production",
      AUTH_SECRET: "a".repeat(32),
      PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION: "true",
      TOKEN_HASH_KEYS: "h1:" + "b".repeat(32),
      LOCAL_KMS_KEYS: "k1:" + Buffer.alloc(32, 1).toString("base64"),
      PORTCULLIS_NEXT_DIST_DIR: ".next-missing-for-launcher-test",
    });
    expect(res.stderr).not.toMatch(/DATABASE_URL is required/);
    expect(res.stderr.trim()).toBe("No production build found: run `npm run build` first.");
  });
});
