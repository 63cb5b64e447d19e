import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dump } from "js-yaml";
import { selfSignedCertificate } from "./certificate";
import type { RegistrySigningKey } from "./signing-key";
import { REGISTRY_ISSUER, REGISTRY_ROUTES, REGISTRY_SERVICE } from "./settings";

/**
 * The CNCF Distribution config of the hosted registry (what `portcullis registry config` writes
 * and `npm run dev` starts): filesystem storage, `auth: token` against the portal's token service
 * (realm, service, issuer, and a certificate bundle of the portal's signing key), and
 * notifications to the portal's events route with a bearer secret.
 *
 * Distribution reads every `REGISTRY_*` environment variable as a config override: start it with
 * a clean environment (`env -i docker-registry serve CONFIG`), or a stray variable such as
 * skopeo's REGISTRY_AUTH_FILE stops it from starting.
 */
export interface DistributionConfigOptions {
  /** Storage root (`storage.filesystem.rootdirectory`). */
  storageDir: string;
  /** `host:port` Distribution listens on. */
  addr: string;
  /** Public base URL of the portal: clients fetch tokens from `<portalUrl>/api/registry/token`. */
  portalUrl: string;
  /** Where Distribution posts its events (default `<portalUrl>/api/registry/events`); may be an internal address. */
  eventsUrl?: string;
  eventsToken: string;
  /** Path of the PEM certificate bundle (written beside the config). */
  bundlePath: string;
  service?: string;
  issuer?: string;
  /** `http.secret` (uploads' state is signed with it); instances behind one load balancer must share it. Default: random. */
  httpSecret?: string;
  /** Log level; default "warn": at "info" Distribution logs the notification endpoint's headers, the bearer secret included. */
  logLevel?: "error" | "warn" | "info" | "debug";
  accessLog?: boolean;
}

const trimSlash = (url: string) => url.replace(/\/+$/, "");

export function distributionConfig(o: DistributionConfigOptions): Record<string, unknown> {
  const portal = trimSlash(o.portalUrl);
  return {
    version: 0.1,
    log: { level: o.logLevel ?? "warn", formatter: "text", accesslog: { disabled: !(o.accessLog ?? true) } },
    // Deleting an app deletes its manifests through the API (lib/registry-auth/hosted-images.ts).
    storage: { filesystem: { rootdirectory: path.resolve(o.storageDir) }, delete: { enabled: true } },
    http: { addr: o.addr, secret: o.httpSecret ?? crypto.randomBytes(32).toString("base64url") },
    auth: {
      token: {
        realm: `${portal}${REGISTRY_ROUTES.token}`,
        service: o.service ?? REGISTRY_SERVICE,
        issuer: o.issuer ?? REGISTRY_ISSUER,
        rootcertbundle: path.resolve(o.bundlePath),
      },
    },
    notifications: {
      events: { includereferences: true },
      endpoints: [
        {
          name: "portcullis",
          url: o.eventsUrl ?? `${portal}${REGISTRY_ROUTES.events}`,
          headers: { Authorization: [`Bearer ${o.eventsToken}`] },
          timeout: "2s",
          threshold: 5,
          backoff: "1s",
          // Blob events too: a license's blob GETs are the bytes its customer received (the
          // portal drops the others: lib/registry-auth/events.ts).
        },
      ],
    },
  };
}

export interface WrittenConfig {
  configPath: string;
  bundlePath: string;
}

/**
 * Writes the config (mode 0600: it holds the events secret) and the certificate bundle of the
 * signing key. `extraCertificates` (PEM) are appended to the bundle: keep the previous key's
 * certificate there while rotating, so tokens it signed stay valid until they expire.
 */
export function writeDistributionConfig(
  opts: Omit<DistributionConfigOptions, "bundlePath"> & { configPath: string; bundlePath?: string; key: RegistrySigningKey; extraCertificates?: string },
): WrittenConfig {
  const configPath = path.resolve(opts.configPath);
  const bundlePath = path.resolve(opts.bundlePath ?? path.join(path.dirname(configPath), "token-bundle.pem"));
  fs.mkdirSync(path.dirname(configPath), { recursive: true });
  fs.mkdirSync(path.dirname(bundlePath), { recursive: true });
  fs.mkdirSync(path.resolve(opts.storageDir), { recursive: true });
  const bundle = selfSignedCertificate(opts.key.privateKey) + (opts.extraCertificates ? `${opts.extraCertificates.trim()}\n` : "");
  fs.writeFileSync(bundlePath, bundle, { mode: 0o644 });
  const text =
    "# CNCF Distribution config for the Portcullis hosted registry (written by `portcullis registry config`).\n" +
    "# Start it with a clean environment: env -i /usr/bin/docker-registry serve " + configPath + "\n" +
    dump(distributionConfig({ ...opts, bundlePath }), { lineWidth: -1, noRefs: true });
  writeSecretFile(configPath, text);
  return { configPath, bundlePath };
}

function writeSecretFile(file: string, text: string) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
