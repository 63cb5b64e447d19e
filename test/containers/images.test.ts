import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasPodman, podman } from "@/scripts/podman";
import { ensureTestImage, testImageName } from "@/test/support/container-image";
import { freePort, isCI, requireBinaries, type BuiltImage, type Distribution } from "@/test/support/registry";
import { removeAll, runOnce, start, type Container } from "./podman-containers";
import { until } from "./until";
import { freshDatabase, vendorSetsUpAndCustomerPulls, vendorUpstream, type VendorFlow } from "./vendor-flow";

/**
 * The container image as an operator runs it: `npm run build:images`, then the migrate command,
 * the portal, the proxy and the hosted registry as containers (host network, read-only root
 * filesystem, the image's non-root user) on a fresh PostgreSQL database. A vendor set up through
 * the CLI and the REST API pushes an image to a real Distribution; a customer pulls it with
 * skopeo through the containerised proxy with nothing but the license ID.
 *
 * `PORTCULLIS_TEST_IMAGE=<image>` tests an image already built instead of building one.
 */
const ready = hasPodman() && requireBinaries("docker-registry", "skopeo", "htpasswd");
const UID = "10001";

describe.runIf(isCI())("containers tier prerequisites", () => {
  it("podman, Distribution and skopeo are installed", () => {
    expect(ready, "apt-get install -y podman buildah mmdebstrap uidmap slirp4netns fuse-overlayfs runc docker-registry skopeo apache2-utils").toBe(true);
  });
});

describe.skipIf(!ready)("the container image", () => {
  const image = testImageName();
  const name = `c${crypto.randomBytes(4).toString("hex")}`;
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let work: string;
  let vendor: VendorFlow["vendor"];
  let upstream: Distribution;
  let img: BuiltImage;
  let env: Record<string, string>;
  let keyMount: string;
  let portalUrl: string;
  let proxyPort: number;
  let registryPort: number;
  let portal: Container;
  let proxy: Container;
  let registry: Container;

  beforeAll(async () => {
    ensureTestImage({ rebuild: true });
    db = await freshDatabase("portcullis_containers");
    work = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-containers-"));

    // The hosted registry's token signing key, readable by the image's user only.
    const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const keyFile = path.join(work, "registry-token-key.pem");
    fs.writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    fs.chownSync(keyFile, Number(UID), Number(UID));
    keyMount = `${keyFile}:/run/secrets/registry-token-key.pem:ro`;

    const portalPort = await freePort();
    proxyPort = await freePort();
    registryPort = await freePort();
    portalUrl = `http://127.0.0.1:${portalPort}`;
    env = {
      DATABASE_URL: db.url,
      AUTH_SECRET: crypto.randomBytes(32).toString("base64"),
      TOKEN_HASH_KEYS: `h1:${crypto.randomBytes(32).toString("base64")}`,
      LOCAL_KMS_KEYS: `k1:${crypto.randomBytes(32).toString("base64")}`,
      PROXY_SERVICE_TOKEN: crypto.randomBytes(32).toString("hex"),
      REGISTRY_EVENTS_TOKEN: crypto.randomBytes(32).toString("hex"),
      REGISTRY_TOKEN_KEY_FILE: "/run/secrets/registry-token-key.pem",
      PORT: String(portalPort),
      PROXY_PORT: String(proxyPort),
      REGISTRY_PORT: String(registryPort),
      PORTAL_URL: portalUrl,
      PORTAL_INTERNAL_URL: portalUrl,
      REGISTRY_URL: `http://127.0.0.1:${registryPort}`,
      BIND_ADDRESS: "127.0.0.1",
      // The upstream Distribution of this test runs on 127.0.0.1 over plain HTTP.
      ALLOW_PRIVATE_REGISTRY_HOSTS: "true",
    };

    ({ upstream, vendor, img } = await vendorUpstream(work));
  }, 1_800_000);

  afterAll(async () => {
    removeAll();
    await upstream?.stop();
    await db?.drop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it("has a health check, labels and a non-root user, and carries no build tools or dev dependencies", () => {
    const [config] = JSON.parse(podman(["image", "inspect", image]).stdout) as Array<{ Config: { User: string; Labels: Record<string, string> }; Healthcheck?: { Test: string[] } }>;
    expect(config!.Config.User).toBe(`${UID}:${UID}`);
    expect(config!.Healthcheck?.Test).toEqual(["CMD", "node", "/app/dist/healthcheck.mjs"]);
    expect(config!.Config.Labels["org.opencontainers.image.title"]).toBe("Portcullis");
    const listing = runOnce(image, ["sh", "-c", "ls /app/node_modules /app/dist/node_modules; command -v npm tsx gcc make || true"], {});
    expect(listing.status).toBe(0);
    for (const absent of ["typescript", "vitest", "eslint", "tsx", "esbuild", "prisma", "@playwright"]) expect(listing.stdout.split("\n")).not.toContain(absent);
    expect(listing.stdout).not.toMatch(/\/(npm|tsx|gcc|make)$/m);
  });

  it("migrates a fresh database, serves the portal, the proxy and the hosted registry read-only as the non-root user, all healthy", async () => {
    const migrated = runOnce(image, ["migrate"], env);
    expect(migrated.status, migrated.stderr).toBe(0);
    expect(migrated.stdout).toMatch(/applied 20261127023202_init/);

    // The portal signs the hosted registry's tokens (and the proxy cache's store tokens) with the key.
    portal = start(image, `portcullis-portal-${name}`, ["portal"], env, [keyMount]);
    proxy = start(image, `portcullis-proxy-${name}`, ["proxy"], env);
    registry = start(image, `portcullis-registry-${name}`, ["registry"], env, [keyMount]);
    await until("the portal answering", async () => (await fetch(`${portalUrl}/sign-in`)).status === 200, portal.logs);
    await until("the proxy answering", async () => (await fetch(`http://127.0.0.1:${proxyPort}/healthz`)).status === 200, proxy.logs);
    const v2 = await until("the hosted registry answering", async () => {
      const res = await fetch(`http://127.0.0.1:${registryPort}/v2/`);
      return res.status === 401 ? res : undefined;
    }, registry.logs);
    // The hosted registry sends clients to the portal's token service.
    expect(v2.headers.get("www-authenticate")).toContain(`realm="${portalUrl}/api/registry/token"`);

    for (const c of [portal, proxy, registry]) {
      expect(c.checkHealth(), `${c.name} health check; logs:\n${c.logs()}`).toBe(true);
      expect(c.healthStatus()).toBe("healthy");
      expect(c.exec(["id", "-u"]).stdout.trim()).toBe(UID);
      const write = c.exec(["sh", "-c", "echo x > /app/written"]);
      expect(write.status, "the root filesystem is read-only").not.toBe(0);
      expect(write.stderr).toMatch(/Read-only file system/);
    }
    // The proxy's pull-log spool (PROXY_PULL_LOG_DIR's production default) is a writable volume.
    expect(proxy.logs()).not.toMatch(/is not writable/);
    expect(proxy.exec(["sh", "-c", "touch /var/lib/portcullis/proxy/probe && rm /var/lib/portcullis/proxy/probe"]).status).toBe(0);
  });

  it("a vendor set up with the CLI and the REST API; a customer pulls through the containerised proxy with the license ID", async () => {
    const bootstrap = runOnce(image, ["portcullis", "admin", "bootstrap", "--email", "ops@containers.example", "--password", "containers admin password", "--team", "Containers"], env);
    expect(bootstrap.status, bootstrap.stderr).toBe(0);
    const token = (JSON.parse(bootstrap.stdout) as { token: string }).token;

    await vendorSetsUpAndCustomerPulls({ portalUrl, proxyHost: `127.0.0.1:${proxyPort}`, token, upstream, vendor, img, work, logs: () => [portal, proxy, registry].map((c) => `--- ${c.name}\n${c.logs()}`).join("\n") });
  });
});
