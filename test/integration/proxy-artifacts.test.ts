import crypto from "node:crypto";
import zlib from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProxyServer } from "@/proxy/server";
import { startFakeRegistry, type FakeRegistry } from "@/test/fakes/registry";
import { addRegistry, createLicense, createTenant, type Tenant } from "@/test/support/factories";
import { OCI, pushArtifact, pushManifest, pushReferrersTagIndex, type PushedDescriptor, type PushedManifest, type PushTarget } from "@/test/support/oci-push";
import { licenseAuth, ociErrors, rawRequest, type RawResponse } from "@/test/support/proxy";
import { proxyFixture } from "@/test/support/proxy-fixture";
import { requireBinaries, startDistribution, type Distribution } from "@/test/support/registry";

/**
 * OCI artifacts through the proxy, pushed to a real CNCF Distribution 2.8 with the distribution
 * API as helm, cosign and oras push them: a Helm chart, cosign's signature and attestation tags,
 * an SBOM and a signature whose `subject` is an image. Each comes back byte for byte, with its
 * Content-Type and Docker-Content-Digest. The referrers list of the image comes from the index
 * under its referrers tag (Distribution 2.8 has no referrers API), filtered by artifactType; an
 * upstream that has the API (a scripted registry: no real one here speaks it) is asked first.
 */

const vendor = { username: "vendor", password: "vendor-upstream-pass" };
const HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";
const HELM_CHART = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
const SIG_TYPE = "application/vnd.dev.cosign.artifact.sig.v1+json";
const SBOM_TYPE = "application/spdx+json";
/** What helm (oras-go) asks for when it resolves a chart. */
const HELM_ACCEPT = "application/vnd.oci.image.manifest.v1+json";
/** What cosign (go-containerregistry) asks for. */
const COSIGN_ACCEPT = [
  "application/vnd.docker.distribution.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v1+prettyjws",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.index.v1+json",
].join(",");

const sha256 = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;
const hexOf = (digest: string) => digest.slice("sha256:".length);

describe.skipIf(!requireBinaries("docker-registry", "htpasswd"))("registry proxy: OCI artifacts and referrers", () => {
  const fx = proxyFixture();
  let reg: Distribution;
  let fake: FakeRegistry;
  let proxy: ProxyServer;
  let proxyUrl: string;
  let app: Tenant;
  let otherApp: Tenant;
  let license: { id: string; licenseId: string };
  let authorization: string;

  // Pushed to Distribution.
  let chart: PushedManifest;
  let chartBlob: Buffer;
  let chartConfig: Buffer;
  let image: PushedManifest;
  let imageSig: PushedManifest;
  let imageAtt: PushedManifest;
  let sbom: PushedManifest;
  let signature: PushedManifest;
  let referrersIndex: PushedManifest;

  const charts: () => PushTarget = () => ({ url: reg.url, repository: "charts/demo", creds: vendor });
  const apps: () => PushTarget = () => ({ url: reg.url, repository: "acme/app", creds: vendor });
  const through = (p: string) => `${proxyUrl}/v2/proxy/acme-app/vendorreg/${p}`;
  const get = (p: string, headers: Record<string, string> = {}, method = "GET") => rawRequest(through(p), { method, headers: { authorization, ...headers } });

  beforeAll(async () => {
    [reg, fake] = await Promise.all([startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } }), startFakeRegistry({ kind: "basic", ...vendor })]);

    // A Helm chart as `helm push` writes it: the chart's Chart.yaml as the config, the .tgz as the one layer.
    chartConfig = Buffer.from(JSON.stringify({ name: "demo", version: "1.2.3", apiVersion: "v2", description: "A demo chart" }));
    chartBlob = zlib.gzipSync(Buffer.concat([Buffer.from("demo/Chart.yaml\0"), crypto.randomBytes(4000)]));
    chart = await pushArtifact(charts(), {
      config: { mediaType: HELM_CONFIG, bytes: chartConfig },
      layers: [{ mediaType: HELM_CHART, bytes: chartBlob }],
      annotations: { "org.opencontainers.image.title": "demo", "org.opencontainers.image.version": "1.2.3" },
      tag: "1.2.3",
    });

    // An image, and what cosign attaches to it on a registry without the referrers API: tags named after its digest.
    image = await pushArtifact(apps(), {
      config: { mediaType: "application/vnd.oci.image.config.v1+json", bytes: Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } })) },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", bytes: zlib.gzipSync(crypto.randomBytes(3000)) }],
      tag: "1.0",
    });
    const simpleSigning = Buffer.from(JSON.stringify({ critical: { identity: { "docker-reference": "acme/app" }, image: { "docker-manifest-digest": image.digest }, type: "cosign container image signature" } }));
    imageSig = await pushArtifact(apps(), {
      config: { mediaType: "application/vnd.oci.image.config.v1+json", bytes: Buffer.from('{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[]}}') },
      layers: [{ mediaType: "application/vnd.dev.cosign.simplesigning.v1+json", bytes: simpleSigning, annotations: { "dev.cosignproject.cosign/signature": "MEUCIQDx" } }],
      tag: `sha256-${hexOf(image.digest)}.sig`,
    });
    imageAtt = await pushArtifact(apps(), {
      config: { mediaType: "application/vnd.oci.image.config.v1+json", bytes: Buffer.from('{"architecture":"","os":"","config":{},"rootfs":{"type":"layers","diff_ids":[]}}') },
      layers: [{ mediaType: "application/vnd.dsse.envelope.v1+json", bytes: Buffer.from('{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}'), annotations: { predicateType: "https://slsa.dev/provenance/v1" } }],
      tag: `sha256-${hexOf(image.digest)}.att`,
    });

    // OCI 1.1 referrers (oras attach, cosign --registry-referrers-mode=oci-1-1): artifactType and subject, pushed by digest...
    sbom = await pushArtifact(apps(), {
      artifactType: SBOM_TYPE,
      layers: [{ mediaType: SBOM_TYPE, bytes: Buffer.from(JSON.stringify({ spdxVersion: "SPDX-2.3", name: "acme/app" })) }],
      subject: image,
      annotations: { "org.opencontainers.image.created": "2026-12-01T10:00:00Z" },
    });
    signature = await pushArtifact(apps(), {
      artifactType: SIG_TYPE,
      layers: [{ mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json", bytes: Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}') }],
      subject: image,
    });
    // ...and, the registry lacking the referrers API, the index under the subject's referrers tag.
    referrersIndex = await pushReferrersTagIndex(apps(), image.digest, [sbom, signature]);

    app = await createTenant(fx.db, { slug: "acme-app" });
    otherApp = await createTenant(fx.db, { slug: "other-app" });
    license = await createLicense(fx.db, app);
    authorization = licenseAuth(license.licenseId);
    await addRegistry(fx.db, app.teamId, { name: "vendorreg", endpoint: reg.url, username: vendor.username, secret: vendor.password });
    await addRegistry(fx.db, app.teamId, { name: "apireg", endpoint: fake.url, username: vendor.username, secret: vendor.password });
    ({ proxy, url: proxyUrl } = await fx.startProxy({ pullLog: { flushIntervalMs: 200 } }));
    return async () => {
      await Promise.all([reg?.stop(), fake?.close()]);
    };
  });

  /** The answer is exactly that manifest: bytes, digest header, Content-Type, Content-Length. */
  function expectExactManifest(res: RawResponse, pushed: PushedManifest, label: string) {
    expect(res.status, label).toBe(200);
    expect(res.body.equals(pushed.bytes), label).toBe(true);
    expect(sha256(res.body), label).toBe(pushed.digest);
    expect(res.headers["docker-content-digest"], label).toBe(pushed.digest);
    expect(res.headers["content-type"], label).toBe(OCI.manifest);
    expect(Number(res.headers["content-length"]), label).toBe(pushed.bytes.length);
  }

  it("a Helm chart: its manifest by tag and by digest (HEAD and GET), config and chart blobs, byte for byte", async () => {
    const head = await get("charts/demo/manifests/1.2.3", { accept: HELM_ACCEPT }, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["docker-content-digest"]).toBe(chart.digest);
    expect(head.headers["content-type"]).toBe(OCI.manifest);
    expect(Number(head.headers["content-length"])).toBe(chart.size);
    expect(head.body.length).toBe(0);
    expectExactManifest(await get("charts/demo/manifests/1.2.3", { accept: HELM_ACCEPT }), chart, "by tag");
    expectExactManifest(await get(`charts/demo/manifests/${chart.digest}`, { accept: HELM_ACCEPT }), chart, "by digest");
    // A client that sends no Accept gets it too (the proxy asks with the OCI types).
    expectExactManifest(await get("charts/demo/manifests/1.2.3"), chart, "no Accept");

    const manifest = JSON.parse(chart.bytes.toString()) as { config: PushedDescriptor; layers: PushedDescriptor[] };
    expect(manifest.config.mediaType).toBe(HELM_CONFIG);
    for (const [desc, bytes] of [
      [manifest.config, chartConfig],
      [manifest.layers[0]!, chartBlob],
    ] as const) {
      const blob = await get(`charts/demo/blobs/${desc.digest}`);
      expect(blob.status).toBe(200);
      expect(blob.body.equals(bytes)).toBe(true);
      expect(blob.headers["docker-content-digest"]).toBe(desc.digest);
    }
    const tags = await get("charts/demo/tags/list");
    expect(JSON.parse(tags.body.toString())).toEqual({ name: "proxy/acme-app/vendorreg/charts/demo", tags: ["1.2.3"] });
  });

  it("cosign's signature and attestation tags (sha256-<hex>.sig, .att) and their layers, byte for byte", async () => {
    for (const [suffix, pushed] of [
      ["sig", imageSig],
      ["att", imageAtt],
    ] as const) {
      const tag = `sha256-${hexOf(image.digest)}.${suffix}`;
      expectExactManifest(await get(`acme/app/manifests/${tag}`, { accept: COSIGN_ACCEPT }), pushed, tag);
      const layer = (JSON.parse(pushed.bytes.toString()) as { layers: PushedDescriptor[] }).layers[0]!;
      const blob = await get(`acme/app/blobs/${layer.digest}`);
      expect(sha256(blob.body), tag).toBe(layer.digest);
    }
    const tags = JSON.parse((await get("acme/app/tags/list")).body.toString()) as { tags: string[] };
    expect(tags.tags).toEqual(expect.arrayContaining([`sha256-${hexOf(image.digest)}.sig`, `sha256-${hexOf(image.digest)}.att`, `sha256-${hexOf(image.digest)}`]));
  });

  it("artifacts with an artifactType and a subject, by digest; the referrers tag's index by its tag", async () => {
    for (const [label, pushed] of [
      ["sbom", sbom],
      ["signature", signature],
    ] as const) {
      const res = await get(`acme/app/manifests/${pushed.digest}`, { accept: COSIGN_ACCEPT });
      expectExactManifest(res, pushed, label);
      const doc = JSON.parse(res.body.toString()) as { artifactType: string; subject: PushedDescriptor };
      expect(doc.artifactType).toBe(pushed.artifactType);
      expect(doc.subject.digest).toBe(image.digest);
    }
    const index = await get(`acme/app/manifests/sha256-${hexOf(image.digest)}`, { accept: OCI.index });
    expect(index.status).toBe(200);
    expect(index.body.equals(referrersIndex.bytes)).toBe(true);
    expect(index.headers["content-type"]).toBe(OCI.index);
    expect(index.headers["docker-content-digest"]).toBe(referrersIndex.digest);
  });

  it("referrers on a registry without the API: the referrers tag's index, as pushed (GET and HEAD)", async () => {
    // The upstream has no referrers API: what a client would get there directly.
    const direct = await rawRequest(`${reg.url}/v2/acme/app/referrers/${image.digest}`, { headers: { authorization: `Basic ${Buffer.from(`${vendor.username}:${vendor.password}`).toString("base64")}` } });
    expect(direct.status).toBe(404);

    const res = await get(`acme/app/referrers/${image.digest}`);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe(OCI.index);
    expect(res.headers["oci-filters-applied"]).toBeUndefined();
    expect(res.body.equals(referrersIndex.bytes)).toBe(true);
    const listed = JSON.parse(res.body.toString()) as { manifests: PushedDescriptor[] };
    expect(listed.manifests.map((m) => [m.digest, m.artifactType, m.size])).toEqual([
      [sbom.digest, SBOM_TYPE, sbom.size],
      [signature.digest, SIG_TYPE, signature.size],
    ]);
    expect(listed.manifests[0]!.annotations).toEqual({ "org.opencontainers.image.created": "2026-12-01T10:00:00Z" });

    const head = await get(`acme/app/referrers/${image.digest}`, {}, "HEAD");
    expect(head.status).toBe(200);
    expect(Number(head.headers["content-length"])).toBe(referrersIndex.bytes.length);
    expect(head.body.length).toBe(0);
    // The subject's digest with its colon percent-encoded, as some HTTP stacks send it.
    expect((await get(`acme/app/referrers/${image.digest.replace(":", "%3A")}`)).body.equals(referrersIndex.bytes)).toBe(true);
  });

  it("referrers filtered by artifactType: only that type, and OCI-Filters-Applied says so", async () => {
    const sboms = await get(`acme/app/referrers/${image.digest}?artifactType=${encodeURIComponent(SBOM_TYPE)}`);
    expect(sboms.status).toBe(200);
    expect(sboms.headers["oci-filters-applied"]).toBe("artifactType");
    expect(sboms.headers["content-type"]).toBe(OCI.index);
    const doc = JSON.parse(sboms.body.toString()) as { schemaVersion: number; mediaType: string; manifests: PushedDescriptor[] };
    expect(doc.schemaVersion).toBe(2);
    expect(doc.mediaType).toBe(OCI.index);
    expect(doc.manifests.map((m) => m.digest)).toEqual([sbom.digest]);
    expect(Number(sboms.headers["content-length"])).toBe(sboms.body.length);

    const sigs = await get(`acme/app/referrers/${image.digest}?artifactType=${encodeURIComponent(SIG_TYPE)}`);
    expect((JSON.parse(sigs.body.toString()) as { manifests: PushedDescriptor[] }).manifests.map((m) => m.digest)).toEqual([signature.digest]);

    const none = await get(`acme/app/referrers/${image.digest}?artifactType=application/vnd.example.nothing`);
    expect(none.status).toBe(200);
    expect(none.headers["oci-filters-applied"]).toBe("artifactType");
    expect(JSON.parse(none.body.toString()).manifests).toEqual([]);
  });

  it("referrers of a manifest nothing refers to, or of a digest the repository doesn't have: an empty index", async () => {
    const empty = { schemaVersion: 2, mediaType: OCI.index, manifests: [] };
    for (const p of [`charts/demo/referrers/${chart.digest}`, `acme/app/referrers/${sbom.digest}`, `acme/app/referrers/sha256:${"0".repeat(64)}`, `nothing/here/referrers/${image.digest}`]) {
      const res = await get(p);
      expect(res.status, p).toBe(200);
      expect(res.headers["content-type"], p).toBe(OCI.index);
      expect(JSON.parse(res.body.toString()), p).toEqual(empty);
    }
    // An image manifest under the referrers tag is no referrers list: still none.
    await pushManifest(charts(), chart.bytes, OCI.manifest, `sha256-${hexOf(chart.digest)}`);
    const notIndex = await get(`charts/demo/referrers/${chart.digest}`);
    expect(JSON.parse(notIndex.body.toString())).toEqual(empty);
    const filtered = await get(`charts/demo/referrers/${chart.digest}?artifactType=${encodeURIComponent(SIG_TYPE)}`);
    expect(filtered.headers["oci-filters-applied"]).toBe("artifactType");
    expect(JSON.parse(filtered.body.toString())).toEqual(empty);
  });

  it("the license gate: 401 without a license, 403 DENIED for another app, 400 for a bad digest or artifactType", async () => {
    const p = `acme/app/referrers/${image.digest}`;
    const anon = await rawRequest(through(p));
    expect(anon.status).toBe(401);
    expect(anon.headers["www-authenticate"]).toBe('Basic realm="Portcullis"');
    const bad = await rawRequest(through(p), { headers: { authorization: licenseAuth("A".repeat(27)) } });
    expect(bad.status).toBe(401);

    const other = await createLicense(fx.db, otherApp);
    const denied = await rawRequest(through(p), { headers: { authorization: licenseAuth(other.licenseId) } });
    expect(denied.status).toBe(403);
    expect(ociErrors(denied)[0]).toEqual({ code: "DENIED", message: "The license does not cover this application." });

    for (const [path, code] of [
      ["acme/app/referrers/sha256:abc", "DIGEST_INVALID"],
      ["acme/app/referrers/latest", "DIGEST_INVALID"],
      [`acme/app/referrers/sha256%2f${hexOf(image.digest)}`, "DIGEST_INVALID"],
      [`acme/%2e%2e/referrers/${image.digest}`, "NAME_INVALID"],
      [`../../referrers/${image.digest}`, "NAME_INVALID"],
      [`${p}?artifactType=not-a-media-type`, "UNSUPPORTED"],
    ] as const) {
      const res = await rawRequest(proxyUrl, { path: `/v2/proxy/acme-app/vendorreg/${path}`, headers: { authorization } });
      expect(res.status, path).toBe(400);
      expect(ociErrors(res)[0]!.code, path).toBe(code);
    }
  });

  describe("an upstream with the referrers API", () => {
    const subject = `sha256:${"5".repeat(64)}`;
    const listed = [
      { mediaType: OCI.manifest, digest: `sha256:${"6".repeat(64)}`, size: 321, artifactType: SBOM_TYPE },
      { mediaType: OCI.manifest, digest: `sha256:${"7".repeat(64)}`, size: 654, artifactType: SIG_TYPE, annotations: { "org.example": "x" } },
    ];
    const page1 = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.index, manifests: listed }, null, 2));

    beforeAll(() => {
      fake.intercept = (req, res) => {
        const u = new URL(req.url ?? "/", "http://x");
        if (u.pathname === `/v2/team/api/referrers/${subject}`) {
          if (req.headers.accept !== OCI.index) return false;
          if (u.searchParams.get("artifactType") === SIG_TYPE) {
            // This registry filters by itself and says so.
            const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI.index, manifests: [listed[1]] }));
            res.writeHead(200, { "content-type": OCI.index, "content-length": String(body.length), "oci-filters-applied": "artifactType" });
            res.end(body);
          return true;
          }
          // Unfiltered (it ignores artifactType=SBOM_TYPE), first page with a link to the next.
          res.writeHead(200, { "content-type": OCI.index, "content-length": String(page1.length), link: `</v2/team/api/referrers/${subject}?n=2&last=abc>; rel="next"` });
          res.end(page1);
          return true;
        }
        if (u.pathname === `/v2/team/broken/referrers/${subject}`) {
          res.writeHead(200, { "content-type": "text/html" });
          return void res.end("<html>maintenance</html>"), true;
        }
        if (u.pathname === `/v2/team/limited/referrers/${subject}`) {
          res.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
          return void res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}'), true;
        }
        return false;
      };
    });

    it("its index is relayed byte for byte, its next-page link under the proxy's name", async () => {
      const res = await rawRequest(`${proxyUrl}/v2/proxy/acme-app/apireg/team/api/referrers/${subject}`, { headers: { authorization } });
      expect(res.status).toBe(200);
      expect(res.body.equals(page1)).toBe(true);
      expect(res.headers["content-type"]).toBe(OCI.index);
      expect(res.headers.link).toBe(`</v2/proxy/acme-app/apireg/team/api/referrers/${subject}?n=2&last=abc>; rel="next"`);
      // The tag schema was not asked: the API answered.
      expect(fake.requests.some((r) => r.path.includes(`/manifests/sha256-${"5".repeat(64)}`))).toBe(false);
    });

    it("filtered by the upstream when it says so, else by the proxy; OCI-Filters-Applied either way", async () => {
      const bySelf = await rawRequest(`${proxyUrl}/v2/proxy/acme-app/apireg/team/api/referrers/${subject}?artifactType=${encodeURIComponent(SIG_TYPE)}`, { headers: { authorization } });
      expect(bySelf.headers["oci-filters-applied"]).toBe("artifactType");
      expect(JSON.parse(bySelf.body.toString()).manifests).toEqual([listed[1]]);
      const byProxy = await rawRequest(`${proxyUrl}/v2/proxy/acme-app/apireg/team/api/referrers/${subject}?artifactType=${encodeURIComponent(SBOM_TYPE)}`, { headers: { authorization } });
      expect(byProxy.headers["oci-filters-applied"]).toBe("artifactType");
      expect(JSON.parse(byProxy.body.toString()).manifests).toEqual([listed[0]]);
      // The filter went upstream as the client wrote it.
      expect(fake.requests.some((r) => r.path === `/v2/team/api/referrers/${subject}?artifactType=${encodeURIComponent(SBOM_TYPE)}`)).toBe(true);
    });

    it("an answer that is not an index is a 502; a 429 is passed on with its Retry-After", async () => {
      const broken = await rawRequest(`${proxyUrl}/v2/proxy/acme-app/apireg/team/broken/referrers/${subject}`, { headers: { authorization } });
      expect(broken.status).toBe(502);
      expect(ociErrors(broken)[0]!.code).toBe("UNAVAILABLE");
      const limited = await rawRequest(`${proxyUrl}/v2/proxy/acme-app/apireg/team/limited/referrers/${subject}`, { headers: { authorization } });
      expect(limited.status).toBe(429);
      expect(limited.headers["retry-after"]).toBe("7");
    });
  });

  it("the pull log records referrers requests as list-referrers, with the subject's digest", async () => {
    await proxy.pullLog.flush(true);
    await proxy.pullLog.flush(true);
    const rows = await fx.db.pullEvent.findMany({ where: { licenseId: license.id, action: "list-referrers" } });
    const ok = rows.find((r) => r.reference === image.digest && r.status === 200 && Number(r.bytes) === referrersIndex.bytes.length);
    expect(ok).toBeTruthy();
    // As the customer wrote it: the registry by its name in the proxy path.
    expect(ok!.image).toBe("proxy/acme-app/vendorreg/acme/app");
    expect(proxy.metrics.requests.get({ route: "referrers", method: "GET", status: "200" })).toBeGreaterThan(0);
  });
});
