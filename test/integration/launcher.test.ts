import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cleanEnv, freePort } from "@/test/support/registry/process";

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

/**
 * `npm run dev` (scripts/dev.ts) in a clean environment on free ports: everything it prints until
 * the registry proxy says it reached the portal, then it is stopped with SIGTERM.
 */
async function devStart(timeoutMs: number) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-dev-"));
  const [port, proxyPort, registryPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, ["--import", "tsx", path.join("scripts", "dev.ts")], {
    env: cleanEnv(os.homedir(), { PORTCULLIS_DATA_DIR: dataDir, PORT: String(port), PROXY_PORT: String(proxyPort), REGISTRY_PORT: String(registryPort), NEXT_TELEMETRY_DISABLED: "1" }),
    // Its own process group, so the portal and proxy it starts go with it.
    detached: true,
  });
  let output = "";
  const connected = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const hear = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.includes("proxy: connected to the portal's internal API")) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    child.stdout.on("data", hear);
    child.stderr.on("data", hear);
  });
  const ok = await connected;
  // Anything printed right after connecting (a late warning) is part of the start.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 40_000))]);
  if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGKILL");
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { ok, output };
}

describe("launcher (npm run dev)", () => {
  it("starts quietly: no warning when nothing is wrong, and says when the proxy reached the portal", { timeout: 240_000 }, async () => {
    const { ok, output } = await devStart(200_000);
    expect(ok, output).toBe(true);
    expect(output).toMatch(/\[portcullis\] portal on http:\/\/localhost:\d+/);
    expect(output).toMatch(/\[portcullis\] proxy: connected to the portal's internal API at http:\/\/127\.0\.0\.1:\d+/);
    // Next measures the disk at start and warns when it is slow: a fact about this machine's load, not the configuration.
    const warnings = output
      .split("\n")
      .filter((line) => /warn|⚠|does not answer|level=(warning|error)|error/i.test(line) && !/Slow filesystem detected/.test(line));
    expect(warnings).toEqual([]);
  });
});
