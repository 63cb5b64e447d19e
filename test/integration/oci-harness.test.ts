import crypto from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOciImage, pullImage, pushImage, requireBinaries, skopeoInspect, startDistribution, type Distribution } from "@/test/support/registry";

/** The harness itself: later integration and e2e tests stand on it, so it is tested too. */

/** Local addresses listening on `port`, from /proc/net/tcp{,6} (no ss/netstat needed). */
async function listeners(port: number): Promise<string[]> {
  const found: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    const text = await fs.readFile(file, "utf8").catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== "0A" || !local) continue; // 0A = LISTEN
      const [hex, p] = local.split(":");
      if (parseInt(p!, 16) !== port) continue;
      found.push(hex!.length === 8 ? hex!.match(/../g)!.reverse().map((b) => parseInt(b, 16)).join(".") : `v6:${hex}`);
    }
  }
  return found;
}

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("registry harness", () => {
  let work: string;
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "oci-harness-"));
  });
  afterAll(async () => {
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it("ignores REGISTRY_* variables of the caller and binds 127.0.0.1 only", async () => {
    const saved = { ...process.env };
    process.env.REGISTRY_HTTP_ADDR = "0.0.0.0:1";
    process.env.REGISTRY_AUTH = "nonsense";
    let reg: Distribution | undefined;
    try {
      reg = await startDistribution({ auth: "htpasswd", users: { u: "p" } });
      const res = await fetch(`${reg.url}/v2/`);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Basic realm="portcullis-test-registry"');
      expect(await listeners(reg.port)).toEqual(["127.0.0.1"]);
    } finally {
      process.env = saved;
      await reg?.stop();
    }
    // Stopped means stopped: the port no longer answers and the temp dir is gone.
    await expect(fetch(`${reg!.url}/v2/`)).rejects.toThrow();
    await expect(fs.stat(reg!.dir)).rejects.toThrow();
  });

  it("writes a valid layout: layer digests, diff_ids and the index survive a push and a pull", async () => {
    const dir = path.join(work, "layout");
    const img = await buildOciImage(dir, { layers: [{ sizeBytes: 1_000_003 }, { files: { "etc/motd": "hello\n", "bin/run": Buffer.from([1, 2, 3]) } }], platforms: ["linux/amd64", "linux/arm64/v8"], tag: "t1" });
    // Every blob on disk is named by its digest.
    for (const d of [img.digest, ...img.manifests.flatMap((m) => [m.digest, m.config.digest]), ...img.layers.map((l) => l.digest)]) {
      const bytes = await fs.readFile(path.join(dir, "blobs", "sha256", d.slice(7)));
      expect(`sha256:${crypto.createHash("sha256").update(bytes).digest("hex")}`).toBe(d);
    }
    // diff_ids are the digests of the uncompressed tars: check one with gunzip.
    const tar = execFileSync("gzip", ["-dc", path.join(dir, "blobs", "sha256", img.layers[1]!.digest.slice(7))]);
    expect(`sha256:${crypto.createHash("sha256").update(tar).digest("hex")}`).toBe(img.layers[1]!.diffId);
    expect(execFileSync("tar", ["-tf", "-"], { input: tar, encoding: "utf8" }).trim().split("\n")).toEqual(["etc/motd", "bin/run"]);

    const reg = await startDistribution({ auth: "htpasswd", users: { u: "p" } });
    try {
      const pushed = await pushImage(dir, `${reg.host}/a/b:t1`, { creds: { username: "u", password: "p" }, all: true });
      expect(pushed.digest).toBe(img.digest);
      const raw = await skopeoInspect(`${reg.host}/a/b:t1`, { creds: { username: "u", password: "p" }, raw: true });
      expect((raw.manifests as Array<{ platform: unknown }>).map((m) => m.platform)).toEqual([
        { os: "linux", architecture: "amd64" },
        { os: "linux", architecture: "arm64", variant: "v8" },
      ]);
      const out = path.join(work, "pulled");
      await pullImage(`${reg.host}/a/b:t1`, out, { creds: { username: "u", password: "p" }, all: true });
      const index = JSON.parse(await fs.readFile(path.join(out, "index.json"), "utf8"));
      expect(index.manifests[0].digest).toBe(img.digest);
      // Without credentials skopeo is refused: the registry really enforces htpasswd.
      await expect(pullImage(`${reg.host}/a/b:t1`, path.join(work, "anon"))).rejects.toThrow(/unauthorized|authentication required/);
    } finally {
      await reg.stop();
    }
  });
});

describe("requireBinaries", () => {
  it("skips locally but fails under CI=true when a tool is missing", () => {
    const saved = process.env.CI;
    try {
      process.env.CI = "true";
      expect(() => requireBinaries("docker-registry", "definitely-not-installed-tool")).toThrow(/Missing system dependency: definitely-not-installed-tool \(CI=true makes this a failure\)/);
      process.env.CI = "";
      expect(requireBinaries("definitely-not-installed-tool")).toBe(false);
      expect(requireBinaries("sh")).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });
});
