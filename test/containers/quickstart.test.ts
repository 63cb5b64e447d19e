import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, requireBinaries, type BuiltImage, type Distribution } from "@/test/support/registry";
import { until } from "./until";
import { freshDatabase, vendorSetsUpAndCustomerPulls, vendorUpstream, type VendorFlow } from "./vendor-flow";

/**
 * README.md's *Production quick start*, as written: its shell block run by bash in a fresh clone
 * of this repository (npm ci, npm run build, secrets, migrations, portal, proxy, hosted registry),
 * with only the ports, the database and the loopback bind address set, as a user would. Then a
 * vendor sets up and a customer pulls through the proxy it started.
 */
const root = path.resolve(import.meta.dirname, "../..");
const ready = requireBinaries("docker-registry", "skopeo", "htpasswd") && spawnSync("git", ["--version"]).status === 0;

/** The first ```sh block after the heading. */
function quickStartBlock(readme: string): string {
  const at = readme.indexOf("### Production quick start");
  if (at < 0) throw new Error("README.md has no *Production quick start*");
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error("*Production quick start* has no sh block");
  return block[1]!;
}

function readEnvFile(file: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

describe.skipIf(!ready)("README's production quick start, on a fresh clone", () => {
  let work: string;
  let clone: string;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let vendor: VendorFlow["vendor"];
  let upstream: Distribution;
  let img: BuiltImage;
  let shell: ChildProcess | undefined;
  let output = "";
  // No NODE_ENV: the block sets it, as a user's shell would not have it.
  let env: NodeJS.ProcessEnv;
  const ports = { PORT: "", PROXY_PORT: "", REGISTRY_PORT: "" };

  const logs = () => ["portal.log", "proxy.log", "registry.log"].map((f) => (fs.existsSync(path.join(clone, f)) ? `--- ${f}\n${fs.readFileSync(path.join(clone, f), "utf8")}` : "")).join("\n") + `\n--- shell\n${output}`;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-quickstart-"));
    clone = path.join(work, "portcullis");
    expect(spawnSync("git", ["clone", "--quiet", root, clone]).status).toBe(0);
    db = await freshDatabase("portcullis_quickstart");
    ({ upstream, vendor, img } = await vendorUpstream(work));
    for (const key of Object.keys(ports) as Array<keyof typeof ports>) ports[key] = String(await freePort());
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: "C.UTF-8",
      ...ports,
      DATABASE_URL: db.url,
      // This machine's servers listen on loopback only; the vendor's registry here is on 127.0.0.1.
      BIND_ADDRESS: "127.0.0.1",
      ALLOW_PRIVATE_REGISTRY_HOSTS: "true",
    } as Record<string, string | undefined> as NodeJS.ProcessEnv;
  }, 600_000);

  afterAll(async () => {
    // The block leaves the portal, the proxy and Distribution running in its process group.
    if (shell?.pid) {
      try {
        process.kill(-shell.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    await upstream?.stop();
    await db?.drop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("runs as written, prints the generated secrets once, and a customer pulls through the proxy it started", async () => {
    const block = quickStartBlock(fs.readFileSync(path.join(clone, "README.md"), "utf8"));
    shell = spawn("bash", ["-e", "-c", block], { cwd: clone, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    shell.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    shell.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => shell!.once("exit", resolve));
    expect(code, output.slice(-4000)).toBe(0);

    const secrets = readEnvFile(path.join(clone, "portcullis.env"));
    expect(Object.keys(secrets).sort()).toEqual(["AUTH_SECRET", "LOCAL_KMS_KEYS", "PROXY_SERVICE_TOKEN", "REGISTRY_EVENTS_TOKEN", "TOKEN_HASH_KEYS"]);
    for (const [k, v] of Object.entries(secrets)) expect(output.split(`${k}=${v}`).length - 1, k).toBe(1);
    expect(fs.statSync(path.join(clone, "portcullis.env")).mode & 0o077).toBe(0);

    const portalUrl = `http://127.0.0.1:${ports.PORT}`;
    await until("the portal answering", async () => (await fetch(`${portalUrl}/sign-in`)).status === 200, logs);
    await until("the proxy answering", async () => (await fetch(`http://127.0.0.1:${ports.PROXY_PORT}/healthz`)).status === 200, logs);
    await until("the hosted registry answering", async () => (await fetch(`http://127.0.0.1:${ports.REGISTRY_PORT}/v2/`)).status === 401, logs);

    const bootstrap = spawnSync(process.execPath, ["dist/portcullis.mjs", "admin", "bootstrap", "--email", "ops@quickstart.example", "--password", "quickstart admin password", "--team", "Quickstart"], {
      cwd: clone,
      env: { ...env, ...secrets, NODE_ENV: "production" },
      encoding: "utf8",
    });
    expect(bootstrap.status, bootstrap.stderr).toBe(0);
    const token = (JSON.parse(bootstrap.stdout) as { token: string }).token;
    await vendorSetsUpAndCustomerPulls({ portalUrl, proxyHost: `127.0.0.1:${ports.PROXY_PORT}`, token, upstream, vendor, img, work, logs });
    // On one host the proxy reads the cache's copies off the hosted registry's disk.
    expect(fs.readFileSync(path.join(clone, "proxy.log"), "utf8")).toContain(`the cache store's copies are read off its disk in ${path.join(clone, "registry")}`);
  }, 2_400_000); // npm ci and npm run build included
});
