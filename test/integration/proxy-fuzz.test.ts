import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProxyServer } from "@/proxy/server";
import { component, digest, hostileString, repository, tag } from "@/test/support/arbitraries";
import { addRegistry, createLicense, createTenant } from "@/test/support/factories";
import { licenseAuth, rawRequest, type RawResponse } from "@/test/support/proxy";
import { proxyFixture } from "@/test/support/proxy-fixture";
import { buildOciImage, pushImage, requireBinaries, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";

/**
 * The proxy's front door fed generated requests — methods, paths near and far from the proxy's
 * scheme, query strings, Authorization headers from none to a valid license, ranges — against the
 * portal's real internal API and a real upstream Distribution holding one image. Every answer is
 * one a registry client understands: never a 500, every error of a GET in the OCI error format,
 * and the proxy keeps serving a real pull afterwards.
 */

const vendor = { username: "vendor", password: "fuzz-upstream-pass" };
const RUNS = 200;

/** Percent-encodes what can't stand in a request line (node:http refuses it), and keeps the rest as generated. */
const inPath = (s: string) => s.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));

describe.skipIf(!requireBinaries("docker-registry", "skopeo", "htpasswd"))("registry proxy: generated requests", () => {
  const fx = proxyFixture();
  let proxy: ProxyServer;
  let proxyUrl: string;
  let upstream: Distribution;
  let work: string;
  let image: BuiltImage;
  let licenseId: string;
  const seen = new Map<number, number>();

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "proxy-fuzz-"));
    upstream = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } });
    image = await buildOciImage(path.join(work, "api"), { layers: [{ sizeBytes: 20_000 }], tag: "1.0" });
    await pushImage(image.dir, `${upstream.host}/acme/api:1.0`, { creds: vendor });
    const team = await createTenant(fx.db, { slug: "fuzzapp" });
    await addRegistry(fx.db, team.teamId, { name: "vendor", endpoint: upstream.url, username: vendor.username, secret: vendor.password });
    ({ licenseId } = await createLicense(fx.db, team));
    ({ proxy, url: proxyUrl } = await fx.startProxy());
  }, 120_000);

  afterAll(async () => {
    await upstream?.stop();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  const manifest = (auth = licenseAuth(licenseId)) =>
    rawRequest(proxyUrl, { path: "/v2/proxy/fuzzapp/vendor/acme/api/manifests/1.0", headers: { authorization: auth, accept: "application/vnd.oci.image.manifest.v1+json" } });

  it("answers every generated request as a registry would: no 500, OCI errors, and a real pull still works after", async () => {
    // A pull before: the license is one the proxy has seen allowed (the refusal limit below never blocks it).
    expect((await manifest()).status).toBe(200);

    // Weighted towards what passes each check, so that many requests get past the front door.
    const often = <T>(value: T, ...others: Array<fc.Arbitrary<T>>) => fc.oneof({ weight: 4, arbitrary: fc.constant(value) }, ...others.map((arbitrary) => ({ weight: 1, arbitrary })));
    const slug = often("fuzzapp", component, hostileString(12).map(inPath));
    const imagePath = often("vendor/acme/api", fc.constant("vendor/acme/none"), repository, repository.map((r) => `quay.io/${r}`), hostileString(30).map(inPath));
    const reference = fc.oneof(
      { weight: 2, arbitrary: fc.constant("1.0") },
      { weight: 2, arbitrary: fc.constant(image.layers[0]!.digest) },
      { weight: 1, arbitrary: tag },
      { weight: 1, arbitrary: digest },
      { weight: 1, arbitrary: hostileString(20).map(inPath) },
    );
    const endpoint = fc.constantFrom("manifests", "manifests", "manifests", "blobs", "blobs", "blobs", "referrers", "tags", "blobs/uploads", "");
    const structured = fc.tuple(slug, imagePath, endpoint, reference).map(([s, i, e, r]) => (e === "tags" ? `/v2/proxy/${s}/${i}/tags/list` : `/v2/proxy/${s}/${i}/${e}/${r}`));
    const anyPath = fc.oneof(
      { weight: 6, arbitrary: structured },
      { weight: 1, arbitrary: fc.constantFrom("/v2/", "/v2", "/healthz", "/readyz", "/metrics", "/", "/v2/_catalog", "/v2/proxy/", "//v2//proxy//") },
      { weight: 2, arbitrary: hostileString(60).map((s) => `/${inPath(s)}`) },
    );
    const query = fc.oneof(
      fc.constant(""),
      fc.tuple(fc.constantFrom("n", "last", "artifactType", "x"), hostileString(20)).map(([k, v]) => `?${k}=${encodeURIComponent(v)}`),
      hostileString(20).map((s) => `?${inPath(s)}`),
    );
    const authorization = often<string | undefined>(
      licenseAuth(licenseId),
      fc.constant(undefined),
      hostileString(24).map((s) => licenseAuth(s)),
      hostileString(24).map((s) => `Basic ${Buffer.from(s).toString("base64")}`),
      hostileString(24).map((s) => `Bearer ${inPath(s)}`),
      fc.constantFrom("Basic", "Basic !!!", "Bearer", "Digest x", `Basic ${Buffer.from("LICENSE_ID:").toString("base64")}`),
    );
    const range = fc.option(fc.constantFrom("bytes=0-10", "bytes=-5", "bytes=10-", "bytes=abc", "bytes=0-0,5-6", "items=0-1", "bytes=99999999-"), { nil: undefined });
    const method = fc.constantFrom("GET", "GET", "GET", "GET", "HEAD", "HEAD", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");

    await fc.assert(
      fc.asyncProperty(method, anyPath, query, authorization, range, async (m, p, q, auth, r) => {
        const headers: Record<string, string> = { ...(auth !== undefined && { authorization: auth }), ...(r !== undefined && { range: r }) };
        const res: RawResponse = await rawRequest(proxyUrl, { method: m, path: p + q, headers });
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        const what = `${m} ${p + q} → ${res.status} ${res.body.toString("utf8").slice(0, 300)}`;
        expect(res.status, what).toBeGreaterThanOrEqual(200);
        expect(res.status, what).not.toBe(500);
        expect([200, 206, 400, 401, 403, 404, 405, 416, 429, 431, 502, 503, 504], what).toContain(res.status);
        if (res.status >= 400 && m !== "HEAD") {
          const body = JSON.parse(res.body.toString("utf8")) as { errors: Array<{ code: string; message: string }> };
          expect(body.errors.length, what).toBeGreaterThan(0);
          for (const e of body.errors) expect({ code: typeof e.code, message: typeof e.message }, what).toEqual({ code: "string", message: "string" });
        }
        if (res.status === 401) expect(res.headers["www-authenticate"], what).toMatch(/^Basic realm=/);
      }),
      { numRuns: RUNS },
    );

    // Still serving: its health, and the real pull (a 429 would mean the license's own address got blocked).
    expect((await rawRequest(`${proxyUrl}/healthz`)).status).toBe(200);
    const after = await manifest();
    expect(after.status, after.body.toString("utf8")).toBe(200);
    expect(proxy.metrics.requests.sum({ status: "500" })).toBe(0);
    // The generator reached past the front door: allowed answers and the license gate's refusals both.
    expect([...seen.keys()]).toEqual(expect.arrayContaining([200, 401, 404]));
  }, 300_000);
});
