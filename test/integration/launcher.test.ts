import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { requireBinaries } from "@/test/support/registry";
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

/** Every process below `pid` now (from /proc), with its command line. */
function descendants(pid: number): Array<{ pid: number; cmd: string }> {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const below = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parent] of parentOf) {
      if (below.has(parent) && !below.has(child)) {
        below.add(child);
        grew = true;
      }
    }
  }
  below.delete(pid);
  return [...below].map((p) => ({ pid: p, cmd: cmdline(p) }));
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** Alive and not a zombie waiting for its new parent to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/**
 * `npm run dev` (scripts/dev.ts) in a clean environment on free ports: everything it prints until
 * the registry proxy says it reached the portal, then it is stopped with `signal`. Also the
 * processes it had started, and its exit code.
 */
async function devStart(timeoutMs: number, signal: NodeJS.Signals = "SIGTERM") {
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
  const started = descendants(child.pid!);
  const startOutput = output;
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill(signal);
  const code = await Promise.race([exited, new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 60_000))]);
  const leftRunning = started.filter((p) => alive(p.pid));
  if (code === "timeout" && child.pid) process.kill(-child.pid, "SIGKILL");
  for (const p of leftRunning) process.kill(p.pid, "SIGKILL");
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { ok, output: startOutput, stopOutput: output.slice(startOutput.length), code, started, leftRunning };
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

  it.skipIf(!requireBinaries("docker-registry"))(
    "SIGINT stops the proxy, then the portal, then the embedded database, the hosted registry last, and leaves no process behind",
    { timeout: 240_000 },
    async () => {
      const { ok, output, stopOutput, code, started, leftRunning } = await devStart(200_000, "SIGINT");
      expect(ok, output).toBe(true);
      // It had started the portal (next dev), the proxy and Distribution.
      const cmds = started.map((p) => p.cmd);
      expect(cmds.some((c) => c.includes("proxy/main.ts")), cmds.join("\n")).toBe(true);
      expect(cmds.some((c) => c.includes("docker-registry serve")), cmds.join("\n")).toBe(true);
      expect(cmds.some((c) => / dev -p \d+/.test(c)), cmds.join("\n")).toBe(true);

      expect(code, stopOutput).toBe(0);
      const steps = ["stopping the registry proxy too", "stopped the registry proxy", "stopped the portal", "closed the embedded database", "stopped the hosted registry"];
      const at = steps.map((step) => stopOutput.indexOf(step));
      expect(at.every((i) => i >= 0), stopOutput).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      // The proxy had the portal to hand its pull log to: nothing had to be kept on disk.
      expect(stopOutput).not.toMatch(/pull-log event\(s\) the portal did not take/);
      expect(leftRunning).toEqual([]);
    },
  );
});
