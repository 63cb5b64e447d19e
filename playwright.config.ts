import { defineConfig } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { E2E_AWS_REGION, E2E_PROXY_SERVICE_TOKEN, HOSTED_REGISTRY_PROJECT, E2E_REGISTRY_EVENTS_TOKEN, ecrFakePort, hostedRegistryKeyFile, hostedRegistryPort, ssoDnsPort } from "./e2e/support/services";

/**
 * End-to-end tests in Debian's Chromium (Playwright can't download browsers here) against a
 * production build served by `npm start` on a throw-away embedded database.
 */
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!fs.existsSync(chromium)) {
  throw new Error(`Chromium not found at ${chromium}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
}

const port = Number(process.env.E2E_PORT ?? 3100);
// Each run builds into its own folder so parallel runs in one checkout don't overwrite each other.
// (The default run uses .next; Next adds each other build folder to tsconfig.json's includes.)
const distDir = process.env.PORTCULLIS_NEXT_DIST_DIR || (process.env.E2E_PORT ? `.next-e2e-${port}` : ".next");
const dataDir = path.resolve(".test-data", `e2e-${Date.now()}`);
// The hosted registry's token signing key (production requires a key file); the apps test gives
// its certificate to the Distribution it starts.
const registryKeyFile = path.resolve(hostedRegistryKeyFile(port));
if (!fs.existsSync(registryKeyFile)) {
  fs.mkdirSync(path.dirname(registryKeyFile), { recursive: true });
  const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  fs.writeFileSync(registryKeyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
}

// The files that start the hosted registry on the one port the portal was given
// (REGISTRY_INTERNAL_URL, e2e/support/flows.ts `startHostedRegistry`) run one at a time; the
// others beside them, each file in one worker (startHostedRegistry refuses to run elsewhere).
// Every test signs up users and a team of its own.
const HOSTED_REGISTRY_FILES = /(^|\/)(apps|apps-images|customer-portal|images)\.spec\.ts$/;

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  projects: [
    { name: HOSTED_REGISTRY_PROJECT, testMatch: HOSTED_REGISTRY_FILES, workers: 1 },
    { name: "portal", testIgnore: HOSTED_REGISTRY_FILES },
  ],
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // Per port: Playwright empties its output folder at start, which would delete the traces of a
  // run on another port in the same checkout.
  outputDir: `test-results/e2e-${port}`,
  use: {
    baseURL: `http://localhost:${port}`,
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  webServer: {
    // The default folder reuses a fresh build (the integration tier makes one); a folder of its own always builds.
    command: distDir === ".next" ? "node --import tsx scripts/ensure-build.ts && npm start" : "npm run build && npm start",
    url: `http://localhost:${port}/sign-in`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      PORTCULLIS_NEXT_DIST_DIR: distDir,
      BIND_ADDRESS: "127.0.0.1",
      NODE_ENV: "production",
      PORTCULLIS_DATA_DIR: dataDir,
      // A throw-away database: production mode on the embedded one is opted into explicitly.
      PORTCULLIS_EMBEDDED_DB_IN_PRODUCTION: "true",
      AUTH_SECRET: "e2e-only-secret-0123456789abcdefghijklmnop",
      TOKEN_HASH_KEYS: "e2e:e2e-only-hash-key-0123456789abcdefghijklmnop",
      LOCAL_KMS_KEYS: "e2e:" + Buffer.alloc(32, 7).toString("base64"),
      DATABASE_URL: "",
      NEXT_TELEMETRY_DISABLED: "1",
      // The Images tests' registries run on 127.0.0.1.
      ALLOW_PRIVATE_REGISTRY_HOSTS: "true",
      // The tutorial test runs a registry proxy against this portal, and a fake ECR API.
      PROXY_SERVICE_TOKEN: E2E_PROXY_SERVICE_TOKEN,
      AWS_ENDPOINT_URL_ECR: `http://127.0.0.1:${ecrFakePort(port)}`,
      AWS_REGION: E2E_AWS_REGION,
      // The apps test runs a hosted registry (Distribution) there; deleting an app purges it.
      REGISTRY_INTERNAL_URL: `http://127.0.0.1:${hostedRegistryPort(port)}`,
      REGISTRY_TOKEN_KEY_FILE: registryKeyFile,
      // The customer portal test's hosted registry reports its pulls (the customer's analytics count them).
      REGISTRY_EVENTS_TOKEN: E2E_REGISTRY_EVENTS_TOKEN,
      // The single sign-on test's DNS server answers the domain verification TXT records.
      DNS_RESOLVER: `127.0.0.1:${ssoDnsPort(port)}`,
    },
  },
});
