import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthCache } from "@/lib/oci/auth-cache";
import { normalizeEndpoint } from "@/lib/oci/endpoint";
import { RegistryClient } from "@/lib/oci/registry-client";
import { buildOciImage, pushImage, requireBinaries, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";

/**
 * Blobs are streamed, never buffered: a 64 MiB layer from a real Distribution arrives with its
 * digest intact while the process's memory stays flat; and a registry that redirects blobs to
 * storage on another host never sees our Authorization header travel there.
 */

const creds = { username: "vendor", password: "blob-pass" };
const LAYER = 64 * 1024 * 1024;
const MiB = 1024 * 1024;

/**
 * A full garbage collection, so memory readings count what is still referenced, not garbage the
 * collector has not reached yet (how far behind it is depends on how busy the machine is).
 */
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

const client = (url: string) =>
  new RegistryClient({
    endpoint: normalizeEndpoint(url, { dockerHubRegistry: "x", allowPrivate: true }),
    credentials: { kind: "basic", ...creds },
    policy: { allowPrivate: true },
    cache: new AuthCache(),
  });

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("blob streaming", () => {
  let reg: Distribution;
  let work: string;
  let img: BuiltImage;

  beforeAll(async () => {
    reg = await startDistribution({ auth: "htpasswd", users: { [creds.username]: creds.password } });
    work = await fsp.mkdtemp(path.join(os.tmpdir(), "oci-blob-"));
    img = await buildOciImage(work, { layers: [{ sizeBytes: LAYER }], tag: "big" });
    await pushImage(work, `${reg.host}/team/big:big`, { creds });
  });
  afterAll(async () => {
    await reg?.stop();
    if (work) await fsp.rm(work, { recursive: true, force: true });
  });

  it("streams a 64 MiB layer with flat memory and the right digest", async () => {
    const layer = img.layers[0]!;
    collectGarbage();
    const base = process.memoryUsage();
    let peakRss = 0;
    let peakBuffers = 0;
    const hash = crypto.createHash("sha256");
    let bytes = 0;

    const res = await client(reg.url).getBlob("team/big", layer.digest);
    expect(res.status).toBe(200);
    expect(res.contentLength).toBe(layer.size);
    let nextReading = 0;
    for await (const chunk of res.body) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      if (bytes < nextReading) continue;
      nextReading = bytes + 4 * MiB;
      collectGarbage();
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss - base.rss);
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers - base.arrayBuffers);
    }
    expect(bytes).toBe(layer.size);
    expect(`sha256:${hash.digest("hex")}`).toBe(layer.digest);
    // A client that buffered the body would hold all 64 MiB (measured: +135 MiB) before the first
    // chunk arrived; a streaming one holds a few chunks at a time.
    expect(peakBuffers, `arrayBuffers grew by ${(peakBuffers / MiB).toFixed(1)} MiB`).toBeLessThan(40 * MiB);
    expect(peakRss, `RSS grew by ${(peakRss / MiB).toFixed(1)} MiB`).toBeLessThan(48 * MiB);
  });

  it("passes Range through", async () => {
    const res = await client(reg.url).getBlob("team/big", img.layers[0]!.digest, { range: "bytes=10-19" });
    expect(res.status).toBe(206);
    const chunks: Buffer[] = [];
    for await (const c of res.body) chunks.push(c as Buffer);
    const expected = Buffer.alloc(10);
    const fd = await fsp.open(path.join(work, "blobs", "sha256", img.layers[0]!.digest.slice(7)));
    await fd.read(expected, 0, 10, 10);
    await fd.close();
    expect(Buffer.concat(chunks)).toEqual(expected);
  });
});

describe("blob redirects to another host", () => {
  const servers: http.Server[] = [];
  const listen = async (handler: http.RequestListener) => {
    const s = http.createServer(handler);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  };
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it("follows the 307 to storage without forwarding Authorization, and the bytes are the blob", async () => {
    const work = await fsp.mkdtemp(path.join(os.tmpdir(), "oci-redirect-"));
    try {
      const img = await buildOciImage(work, { layers: [{ sizeBytes: 8 * MiB }] });
      const layer = img.layers[0]!;
      const file = path.join(work, "blobs", "sha256", layer.digest.slice(7));

      // "Object storage": serves the blob from disk, records what it was sent.
      const storageSaw: http.IncomingHttpHeaders[] = [];
      const storage = await listen((req, res) => {
        storageSaw.push(req.headers);
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(layer.size) });
        fs.createReadStream(file).pipe(res);
      });
      // The registry: Basic auth, then a 307 for blobs to the storage host (another port = another origin).
      const basic = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
      const registrySaw: Array<string | undefined> = [];
      const registry = await listen((req, res) => {
        registrySaw.push(req.headers.authorization);
        if (req.headers.authorization !== basic) return res.writeHead(401, { "www-authenticate": 'Basic realm="r"' }).end();
        res.writeHead(307, { location: `${storage}/bucket/docker/blobs/${layer.digest.slice(7)}/data?X-Amz-Signature=feedface` }).end();
      });

      const res = await client(registry).getBlob("team/app", layer.digest);
      expect(res.status).toBe(200);
      const hash = crypto.createHash("sha256");
      for await (const c of res.body) hash.update(c as Buffer);
      expect(`sha256:${hash.digest("hex")}`).toBe(layer.digest);

      expect(registrySaw).toEqual([undefined, basic]);
      expect(storageSaw).toHaveLength(1);
      expect(storageSaw[0]!.authorization).toBeUndefined();
      expect(JSON.stringify(storageSaw[0])).not.toContain(creds.password);
    } finally {
      await fsp.rm(work, { recursive: true, force: true });
    }
  });
});
