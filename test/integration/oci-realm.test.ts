import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthCache } from "@/lib/oci/auth-cache";
import { testRegistryConnection } from "@/lib/oci/diagnose";
import { normalizeEndpoint } from "@/lib/oci/endpoint";
import { UpstreamError } from "@/lib/oci/errors";
import { RegistryClient } from "@/lib/oci/registry-client";
import type { ResolveFn } from "@/lib/oci/address";
import type { RegistryCredentials } from "@/lib/oci/credentials";
import { INTERNAL_API, type LookupResponse } from "@/lib/internal/contract";
import { createProxyServer } from "@/proxy/server";
import { generateLicenseId } from "@/lib/licenses/license-id";
import { licenseAuth, ociErrors, rawRequest } from "@/test/support/proxy";

/**
 * A registry whose Bearer challenge names a token realm on another host must not get the
 * registry's credentials sent there, unless the vendor allowed that host on the registry. A fake
 * registry and a fake token realm on 127.0.0.1; the names `registry.vendor.test` and
 * `auth.elsewhere.test` both resolve there (the resolver is the test's), so they are two hosts.
 */
const creds = { kind: "basic" as const, username: "vendor", password: "vendor-password" };
const resolve: ResolveFn = async () => [{ address: "127.0.0.1", family: 4 }];

interface Fake {
  server: http.Server;
  port: number;
}

async function listen(handler: http.RequestListener): Promise<Fake> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as AddressInfo).port };
}

describe("token realms on another host", () => {
  /** What the realm received: one entry per request, with its Authorization header (if any). */
  const realmRequests: { authorization: string | null }[] = [];
  let realm: Fake;
  let registry: Fake;
  /** The realm host the registry's challenge names (changed per test). */
  let realmHost = "auth.elsewhere.test";

  beforeAll(async () => {
    realm = await listen((req, res) => {
      realmRequests.push({ authorization: req.headers.authorization ?? null });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: "the-token", expires_in: 300 }));
    });
    registry = await listen((req, res) => {
      if (req.headers.authorization === "Bearer the-token") {
        if (req.url === "/v2/") return res.writeHead(200, { "content-type": "application/json" }).end("{}");
        return res.writeHead(404, { "content-type": "application/json" }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      }
      res
        .writeHead(401, { "www-authenticate": `Bearer realm="http://${realmHost}:${realm.port}/token",service="registry.vendor.test"`, "content-type": "application/json" })
        .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    });
  });
  afterAll(async () => {
    await new Promise((r) => realm?.server.close(r));
    await new Promise((r) => registry?.server.close(r));
  });

  const registryUrl = () => `http://registry.vendor.test:${registry.port}`;
  const client = (allowedRealmHosts?: string[], credentials: RegistryCredentials = creds) =>
    new RegistryClient({
      endpoint: normalizeEndpoint(registryUrl(), { dockerHubRegistry: "registry-1.docker.io", allowPrivate: true }),
      credentials,
      policy: { allowPrivate: true, resolve },
      cache: new AuthCache(),
      allowedRealmHosts,
    });

  it("does not send the credentials to a realm on another host: an error names the host, the realm hears nothing", async () => {
    realmHost = "auth.elsewhere.test";
    realmRequests.length = 0;
    const error = await client()
      .getManifest("team/app", "1.0")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ reason: "realm" });
    expect((error as Error).message).toMatch(/sent to auth\.elsewhere\.test, another host; they were not sent\. If that token service is yours, add auth\.elsewhere\.test to the registry's allowed token hosts\./);
    expect(realmRequests).toEqual([]);
  });

  it("sends them when the vendor allowed the realm's host on the registry", async () => {
    realmHost = "auth.elsewhere.test";
    realmRequests.length = 0;
    const res = await client(["auth.elsewhere.test"]).getManifest("team/app", "1.0");
    res.body.resume();
    expect(res.status).toBe(404); // authenticated: the fake knows no manifests
    expect(realmRequests).toEqual([{ authorization: `Basic ${Buffer.from("vendor:vendor-password").toString("base64")}` }]);
  });

  it("a realm on the registry's own host (another port) gets them without being allowed", async () => {
    realmHost = "registry.vendor.test";
    realmRequests.length = 0;
    const res = await client().getManifest("team/app", "1.0");
    res.body.resume();
    expect(res.status).toBe(404);
    expect(realmRequests).toHaveLength(1);
    expect(realmRequests[0]!.authorization).toMatch(/^Basic /);
  });

  it("anonymous access still asks a foreign realm for a token, with no credentials to leak", async () => {
    realmHost = "auth.elsewhere.test";
    realmRequests.length = 0;
    const res = await client(undefined, { kind: "anonymous" }).getManifest("team/app", "1.0");
    res.body.resume();
    expect(res.status).toBe(404);
    expect(realmRequests).toEqual([{ authorization: null }]);
  });

  it("the connection test shows the realm's host and says why it stopped; allowed, it says where the password went", async () => {
    realmHost = "auth.elsewhere.test";
    realmRequests.length = 0;
    const refused = await testRegistryConnection({ endpoint: registryUrl(), credentials: creds, allowPrivate: true, dockerHubRegistry: "x", resolve });
    expect(refused.ok).toBe(false);
    expect(refused.steps.at(-1)).toMatchObject({ name: "Authenticate (Bearer token from auth.elsewhere.test)", ok: false });
    expect(refused.steps.at(-1)!.detail).toMatch(/allowed token hosts/);
    expect(realmRequests).toEqual([]);

    const allowed = await testRegistryConnection({
      endpoint: registryUrl(),
      credentials: creds,
      allowPrivate: true,
      dockerHubRegistry: "x",
      resolve,
      allowedRealmHosts: ["auth.elsewhere.test"],
    });
    expect(allowed.ok).toBe(true);
    expect(allowed.steps.at(-1)).toMatchObject({ name: "Authenticate (Bearer token from auth.elsewhere.test)", ok: true });
    expect(allowed.steps.at(-1)!.detail).toMatch(/The credentials were sent to auth\.elsewhere\.test\./);
  });

  it("the proxy answers an OCI error naming the host instead of sending the vendor's credentials there", async () => {
    realmHost = "auth.elsewhere.test";
    realmRequests.length = 0;
    const serviceToken = "realm-test-service-token-0123456789";
    const lookup: LookupResponse = {
      allowed: true,
      code: "ok",
      reason: "ok",
      license: { id: crypto.randomUUID(), customerId: crypto.randomUUID(), teamId: crypto.randomUUID(), appId: crypto.randomUUID(), expiresAt: null },
      registry: { id: crypto.randomUUID(), name: "vendor", endpoint: registryUrl(), provider: "other", credentialsVersion: 1, matchedBy: "name", repository: "team/app", credentials: creds, allowedRealmHosts: [] },
    };
    const portal = await listen((req, res) => {
      req.resume();
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        if (req.url === INTERNAL_API.lookup) return void res.end(JSON.stringify(lookup));
        if (req.url === INTERNAL_API.pullEvents) return void res.end(JSON.stringify({ accepted: 0, unknownLicense: 0 }));
        res.end("{}");
      });
    });
    const proxy = createProxyServer({ portalUrl: `http://127.0.0.1:${portal.port}`, serviceToken, dockerHubRegistry: "registry-1.docker.io", allowPrivate: true, resolve });
    try {
      const { url } = await proxy.listen(0);
      const res = await rawRequest(`${url}/v2/proxy/acme/vendor/team/app/manifests/1.0`, { headers: { authorization: licenseAuth(generateLicenseId()) } });
      expect(res.status).toBe(502);
      expect(ociErrors(res)[0]).toEqual({
        code: "DENIED",
        message: `The upstream registry asked for its credentials to be sent to auth.elsewhere.test:${realm.port}, a host not allowed for it; the vendor can allow it on the registry.`,
      });
      expect(realmRequests).toEqual([]);
    } finally {
      await proxy.close(1000);
      portal.server.closeAllConnections();
      await new Promise((r) => portal.server.close(r));
    }
  });
});
