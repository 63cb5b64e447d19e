import crypto from "node:crypto";
import http from "node:http";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProxyServer } from "@/proxy/server";
import { startFakeRegistry, type FakeRegistry } from "@/test/fakes/registry";
import { addRegistry, createLicense, createTenant } from "@/test/support/factories";
import { licenseAuth, rawRequest } from "@/test/support/proxy";
import { proxyFixture } from "@/test/support/proxy-fixture";

/**
 * Content named by digest is verified while it streams: an upstream that ends a blob early (no
 * Content-Length, connection closed) or sends other bytes than the digest names never gives the
 * client a clean, complete-looking answer; the client's transfer breaks, /metrics counts it and
 * the pull log doesn't record a success.
 */

const vendor = { username: "vendor", password: "verify-upstream-pass" };
const sha256 = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;
const sha512 = (b: Buffer) => `sha512:${crypto.createHash("sha512").update(b).digest("hex")}`;

const blob = crypto.randomBytes(3 * 1024 * 1024 + 17);
const small = crypto.randomBytes(1000);
const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", layers: [] }));

describe("registry proxy: digest verification", () => {
  const fx = proxyFixture();
  let fake: FakeRegistry;
  let proxy: ProxyServer;
  let url: string;
  let authorization: string;
  let licenseRowId: string;

  beforeAll(async () => {
    fake = await startFakeRegistry({ kind: "basic", ...vendor });
    fake.blobs.set(sha256(blob), blob);
    fake.blobs.set(sha512(small), small);
    fake.manifests.set("acme/good:1.0", { body: manifest, mediaType: "application/vnd.oci.image.manifest.v1+json" });
    fake.intercept = (req, res) => {
      const p = req.url ?? "";
      if (p === `/v2/acme/short/blobs/${sha256(blob)}`) {
        // No Content-Length and no chunking: the body ends when the connection does — here after a third.
        req.socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n");
        req.socket.end(blob.subarray(0, 1024 * 1024));
        return true;
      }
      if (p === `/v2/acme/wrong/blobs/${sha256(blob)}` || p === `/v2/acme/wrong/blobs/${sha512(small)}`) {
        // The right length, other bytes.
        const size = p.includes("sha512") ? small.length : blob.length;
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(size) });
        res.end(crypto.randomBytes(size));
        return true;
      }
      if (p === `/v2/acme/wrong/manifests/${sha256(manifest)}`) {
        const other = Buffer.from(manifest.toString().replace("[]", '[{"x":1}]'));
        res.writeHead(200, { "content-type": "application/vnd.oci.image.manifest.v1+json", "content-length": String(other.length) });
        res.end(other);
        return true;
      }
      if (p === `/v2/acme/empty/blobs/${sha256(blob)}`) {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": "0" });
        res.end();
        return true;
      }
      return false;
    };

    const tenant = await createTenant(fx.db, { slug: "verified" });
    const license = await createLicense(fx.db, tenant);
    licenseRowId = license.id;
    authorization = licenseAuth(license.licenseId);
    await addRegistry(fx.db, tenant.teamId, { name: "fake", endpoint: fake.url, ...vendor, secret: vendor.password });
    ({ proxy, url } = await fx.startProxy({ pullLog: { flushIntervalMs: 100 } }));
    return () => fake?.close();
  });

  const blobUrl = (repo: string, digest: string) => `${url}/v2/proxy/verified/fake/acme/${repo}/blobs/${digest}`;

  /** The pull-log status of the last event for `reference`, once the proxy has sent its log. */
  async function loggedStatus(reference: string): Promise<number | undefined> {
    await proxy.pullLog.flush(true);
    const event = await fx.db.pullEvent.findFirst({ where: { licenseId: licenseRowId, reference }, orderBy: { seq: "desc" } });
    return event?.status;
  }

  it("relays a blob whose bytes match its digest, sha256 and sha512 alike", async () => {
    // Node warns when one response carries more than 10 close listeners (pipeline adds seven).
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on("warning", onWarning);
    const res = await rawRequest(blobUrl("good", sha256(blob)), { headers: { authorization } }).finally(() => setImmediate(() => process.off("warning", onWarning)));
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((w) => w.startsWith("MaxListenersExceededWarning"))).toEqual([]);
    expect(res.status).toBe(200);
    expect(res.body.equals(blob)).toBe(true);
    const res512 = await rawRequest(blobUrl("good", sha512(small)), { headers: { authorization } });
    expect(res512.status).toBe(200);
    expect(res512.body.equals(small)).toBe(true);
    expect(proxy.metrics.verificationFailures.sum()).toBe(0);
    expect(await loggedStatus(sha256(blob))).toBe(200);
  });

  it("an upstream that closes early without a Content-Length: the client's transfer breaks, never a clean short 200", async () => {
    await expect(rawRequest(blobUrl("short", sha256(blob)), { headers: { authorization } })).rejects.toThrow(/aborted|socket hang up|ECONNRESET/i);
    expect(proxy.metrics.verificationFailures.get({ route: "blobs", reason: "mismatch" })).toBe(1);
    expect(proxy.metrics.render()).toMatch(/^portcullis_proxy_digest_verification_failures_total\{route="blobs",reason="mismatch"\} 1$/m);
  });

  it("an upstream that sends other bytes of the right length: the client never gets the whole body", async () => {
    const received: number[] = [];
    await expect(
      new Promise((resolve, reject) => {
        const req = http.get(blobUrl("wrong", sha256(blob)), { headers: { authorization }, agent: false }, (res) => {
          let n = 0;
          res.on("data", (c: Buffer) => (n += c.length));
          res.on("end", () => resolve(n));
          res.on("error", (e) => (received.push(n), reject(e)));
        });
        req.on("error", reject);
      }),
    ).rejects.toThrow(/aborted|socket hang up|ECONNRESET/i);
    expect(received[0] ?? 0).toBeLessThan(blob.length);
    await expect(rawRequest(blobUrl("wrong", sha512(small)), { headers: { authorization } })).rejects.toThrow(/aborted|socket hang up|ECONNRESET/i);
    await expect(rawRequest(blobUrl("empty", sha256(blob)), { headers: { authorization } })).rejects.toThrow(/aborted|socket hang up|ECONNRESET/i);
    expect(proxy.metrics.verificationFailures.get({ route: "blobs", reason: "mismatch" })).toBe(4);
  });

  it("a manifest asked for by digest is verified too; by tag it can't be and isn't", async () => {
    const byTag = await rawRequest(`${url}/v2/proxy/verified/fake/acme/good/manifests/1.0`, { headers: { authorization } });
    expect(byTag.status).toBe(200);
    await expect(rawRequest(`${url}/v2/proxy/verified/fake/acme/wrong/manifests/${sha256(manifest)}`, { headers: { authorization } })).rejects.toThrow(
      /aborted|socket hang up|ECONNRESET/i,
    );
    expect(proxy.metrics.verificationFailures.get({ route: "manifests", reason: "mismatch" })).toBe(1);
  });

  it("the pull log records a broken transfer as failed (502), not as a 200", async () => {
    await expect(rawRequest(blobUrl("short", sha256(blob)), { headers: { authorization } })).rejects.toThrow();
    await proxy.pullLog.flush(true);
    const event = await fx.db.pullEvent.findFirst({ where: { licenseId: licenseRowId, image: { contains: "acme/short" } }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ action: "pull-blob", status: 502 });
    expect(proxy.metrics.requests.get({ route: "blobs", method: "GET", status: "502" })).toBeGreaterThan(0);
  });

  it("a Range request (206) is relayed as it comes: part of a blob has no digest to check", async () => {
    const res = await rawRequest(blobUrl("good", sha256(blob)), { headers: { authorization, range: "bytes=10-19" } });
    // The fake upstream ignores Range and answers the whole blob with 200: then it is verified as one.
    expect(res.status).toBe(200);
    expect(res.body.equals(blob)).toBe(true);
  });
});
