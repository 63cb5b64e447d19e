import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { expect } from "vitest";
import { until } from "./until";
import { buildOciImage, pullImage, pushImage, startDistribution, type BuiltImage, type Distribution } from "@/test/support/registry";

/**
 * What a vendor and a customer do once Portcullis runs: with an admin API token, an app, the
 * vendor's registry (a real Distribution with Basic auth), a customer and a license through the
 * REST API; then the customer pulls the vendor's image through the proxy with the license ID,
 * twice: the second pull comes from the proxy cache (the hosted registry as its store), and the
 * vendor's cache figures say so.
 */
export interface VendorFlow {
  portalUrl: string;
  proxyHost: string;
  token: string;
  upstream: Distribution;
  vendor: { username: string; password: string };
  /** The image pushed to the upstream as `acme/app:v1`. */
  img: BuiltImage;
  work: string;
  /** The servers' logs, for failure messages. */
  logs: () => string;
}

export async function vendorSetsUpAndCustomerPulls(f: VendorFlow): Promise<void> {
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${f.portalUrl}/api/v1${p}`, {
      method,
      headers: { authorization: `Bearer ${f.token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((e: Error) => {
      throw new Error(`${method} ${p}: ${e.message} (${String(e.cause)}); logs:\n${f.logs()}`);
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const app = await api("POST", "/apps", { name: "Delivery App" });
  expect(app.slug).toBe("delivery-app");
  const registry = await api("POST", "/registries", { provider: "other", name: "up", endpoint: f.upstream.url, ...f.vendor });
  expect(registry).not.toHaveProperty("password");
  const customer = await api("POST", "/customers", { name: "Globex" });
  const license = await api("POST", `/customers/${customer.id as string}/licenses`, { app: "delivery-app", type: "paid" });
  const licenseId = license.licenseId as string;

  const ref = `${f.proxyHost}/proxy/delivery-app/up/acme/app:v1`;
  const dest = path.join(f.work, "pulled");
  await pullImage(ref, dest, { creds: { username: "LICENSE_ID", password: licenseId } });
  const index = JSON.parse(fs.readFileSync(path.join(dest, "index.json"), "utf8")) as { manifests: Array<{ digest: string }> };
  expect(index.manifests[0]!.digest).toBe(f.img.digest);
  for (const layer of f.img.layers) expect(fs.existsSync(path.join(dest, "blobs", "sha256", layer.digest.slice("sha256:".length)))).toBe(true);

  // The second pull comes from the cache, once the store holds the image: the same bytes, and the
  // vendor sees the bytes the cache served (the egress it saved).
  const layerBytes = f.img.layers.reduce((n, l) => n + l.size, 0);
  const cacheStats = () => api("GET", `/registries/${registry.id as string}/cache`) as Promise<{ storedBytes: number; hits: number; cacheBytes: number; egressSaved: number }>;
  await until("the proxy cache holding the image", async () => (await cacheStats()).storedBytes >= layerBytes, f.logs, 60_000);
  const again = path.join(f.work, "pulled-again");
  await pullImage(ref, again, { creds: { username: "LICENSE_ID", password: licenseId } });
  for (const layer of f.img.layers) {
    const file = path.join("blobs", "sha256", layer.digest.slice("sha256:".length));
    expect(fs.readFileSync(path.join(again, file)).equals(fs.readFileSync(path.join(dest, file)))).toBe(true);
  }
  await until("the cache's hits reaching the portal", async () => (await cacheStats()).egressSaved >= layerBytes, f.logs, 60_000);
  expect((await cacheStats()).hits).toBeGreaterThan(0);

  // A wrong license ID pulls nothing.
  await expect(pullImage(ref, path.join(f.work, "refused"), { creds: { username: "LICENSE_ID", password: `${licenseId.slice(0, -2)}xx` } })).rejects.toThrow(/unauthorized|401/i);
}

/** The vendor's registry: a real Distribution with Basic auth holding `acme/app:v1`. */
export async function vendorUpstream(work: string): Promise<Pick<VendorFlow, "upstream" | "vendor" | "img">> {
  const vendor = { username: "vendor", password: "delivery-upstream-pass" };
  const upstream = await startDistribution({ auth: "htpasswd", users: { [vendor.username]: vendor.password } });
  const img = await buildOciImage(path.join(work, "layout"), { layers: [{ sizeBytes: 3 * 1024 * 1024 }], tag: "v1" });
  await pushImage(img.dir, `${upstream.host}/acme/app:v1`, { creds: vendor });
  return { upstream, vendor, img };
}

/** A fresh database on the host's PostgreSQL (127.0.0.1:5432, trust auth); `drop` removes it. */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres" });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  return {
    url: `postgresql://postgres@127.0.0.1:5432/${name}`,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await admin.end().catch(() => undefined);
    },
  };
}
