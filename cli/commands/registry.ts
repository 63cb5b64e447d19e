import path from "node:path";
import { requireFlag, stringFlags } from "@/cli/args";
import { defineCommand } from "@/cli/command";
import { UsageError, UserError } from "@/cli/errors";
import fs from "node:fs";
import { env } from "@/lib/config/env";
import { writeDistributionConfig } from "@/lib/registry-auth/distribution-config";
import { loadRegistrySigningKey, RegistryKeyError } from "@/lib/registry-auth/signing-key";
import { REGISTRY_ROUTES, registryEventsToken } from "@/lib/registry-auth/settings";

const USAGE = `Usage: portcullis registry config --storage DIR [--out FILE] [options]

Writes the CNCF Distribution (docker-registry) config of the hosted private registry: images
stored in DIR, \`auth: token\` against the portal's token service (${REGISTRY_ROUTES.token}), push
and pull events posted to the portal (${REGISTRY_ROUTES.events}) with a bearer secret; and the
certificate bundle of the portal's token-signing key, beside the config as token-bundle.pem.

Options:
  --storage DIR       where Distribution keeps the images (storage.filesystem.rootdirectory)
  --out FILE          the config file to write (default DIR/config.yml; mode 0600: it holds a secret)
  --bundle FILE       write the certificate bundle here instead
  --addr HOST:PORT    where Distribution listens (default 127.0.0.1:REGISTRY_PORT, i.e. 127.0.0.1:5000)
  --portal-url URL    the portal's URL as clients reach it, for the token realm
                      (default PORTAL_URL, else http://127.0.0.1:PORT)
  --events-url URL    where Distribution posts events, if it reaches the portal at another address
                      (default <portal-url>${REGISTRY_ROUTES.events})
  --extra-certs FILE  PEM certificates to keep trusting (the previous key's, while rotating it)
  -h, --help          show this help

The key is REGISTRY_TOKEN_KEY_FILE (required in production); in development one is generated
into PORTCULLIS_DATA_DIR, sealed with the KMS key. The events secret is REGISTRY_EVENTS_TOKEN
(required in production; generated into PORTCULLIS_DATA_DIR in development). Start Distribution
with a clean environment, since it reads every REGISTRY_* variable as config:
  env -i /usr/bin/docker-registry serve FILE`;

function httpUrl(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${flag} must be an http:// or https:// URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--${flag} must be an http:// or https:// URL`);
  return value.replace(/\/+$/, "");
}

export const registryConfigCommand = defineCommand({
  path: ["registry", "config"],
  summary: "write the hosted registry's Distribution config and token certificate bundle",
  usage: USAGE,
  flags: { ...stringFlags("storage", "out", "bundle", "addr", "portal-url", "events-url", "extra-certs") },
  async run({ values }, io) {
    const storageDir = path.resolve(requireFlag(values, "storage"));
    const e = env();
    const addr = values.addr ?? `127.0.0.1:${e.REGISTRY_PORT}`;
    if (!/^[^\s/]*:\d{1,5}$/.test(addr)) throw new UsageError("--addr must be HOST:PORT (e.g. 127.0.0.1:5000 or :5000)");
    const portalUrl = httpUrl(values["portal-url"] ?? e.PORTAL_URL ?? `http://127.0.0.1:${e.PORT}`, "portal-url");
    const eventsUrl = values["events-url"] === undefined ? undefined : httpUrl(values["events-url"], "events-url");

    let extraCertificates: string | undefined;
    if (values["extra-certs"] !== undefined) {
      try {
        extraCertificates = fs.readFileSync(values["extra-certs"], "utf8");
      } catch (err) {
        throw new UserError(`cannot read --extra-certs ${values["extra-certs"]} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
      }
      if (!extraCertificates.includes("-----BEGIN CERTIFICATE-----")) throw new UserError(`--extra-certs ${values["extra-certs"]} holds no PEM certificate`);
    }

    const eventsToken = registryEventsToken(e);
    if (!eventsToken) throw new UserError("REGISTRY_EVENTS_TOKEN is not set: production needs the secret the portal expects on registry events");
    let key;
    try {
      key = await loadRegistrySigningKey(e);
    } catch (err) {
      if (err instanceof RegistryKeyError) throw new UserError(err.message);
      throw err;
    }

    const written = writeDistributionConfig({
      configPath: values.out ?? path.join(storageDir, "config.yml"),
      bundlePath: values.bundle,
      storageDir,
      addr,
      portalUrl,
      eventsUrl,
      eventsToken,
      key,
      extraCertificates,
    });
    io.out(`wrote ${written.configPath}`);
    io.out(`wrote ${written.bundlePath} (token signing key ${key.kid})`);
    io.out(`token realm: ${portalUrl}${REGISTRY_ROUTES.token}`);
    io.out("deletes: enabled (deleting an app deletes its images here: the portal reaches this registry at REGISTRY_INTERNAL_URL, else REGISTRY_URL)");
    io.out(`start it with: env -i /usr/bin/docker-registry serve ${written.configPath}`);
    return 0;
  },
});
