import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { vi } from "vitest";
import { parseEnv, resetEnvCache, type Env } from "@/lib/config/env";
import { resetKeyProviders } from "@/lib/crypto";
import { disconnectDb } from "@/lib/db/client";
import { resetRegistrySigningKey } from "@/lib/registry-auth/signing-key";

/**
 * The one way a test sets the portal's configuration. Code that takes its configuration as an
 * argument gets it that way (`route.with({ env })`, `parseEnv(vars)`); what reads `env()` reads
 * process.env, which these functions change and after which they forget every cache built from
 * it (the parsed configuration, the KMS providers, the registry signing key).
 */

/** Variables to set; `undefined` removes one. */
export type EnvVars = Record<string, string | undefined>;

export interface TestEnvOptions {
  /** Names the temporary data directory and the local KMS key ("proxytest"). */
  name?: string;
  /** A PROXY_SERVICE_TOKEN shared by the proxy and the internal API. */
  serviceToken?: boolean;
  /** More variables, set after the generated ones (so they win); `undefined` removes one. */
  vars?: EnvVars;
  /** Set with vi.stubEnv, for one test: `restoreTestEnv()` in afterEach undoes it. Default: for the whole file. */
  stub?: boolean;
}

export interface TestEnv {
  /** PORTCULLIS_DATA_DIR: a new temporary directory. */
  dataDir: string;
  /** PROXY_SERVICE_TOKEN, when asked for ("" otherwise). */
  serviceToken: string;
  /** The configuration as the portal parses it now. */
  env(): Env;
}

/** Forgets what was built from the previous configuration. */
function resetCaches(): void {
  resetEnvCache();
  resetKeyProviders();
  resetRegistrySigningKey();
}

/** Sets (or, for `undefined`, removes) variables for the rest of the file. */
export function updateTestEnv(vars: EnvVars): void {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetCaches();
}

/** Sets variables for one test, undone by `restoreTestEnv()`; the configuration they give. */
export function stubTestEnv(vars: EnvVars): Env {
  for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v);
  resetCaches();
  return parseEnv(process.env);
}

/** Undoes `stubTestEnv` / `configureTestEnv({ stub: true })`. */
export function restoreTestEnv(): void {
  vi.unstubAllEnvs();
  resetCaches();
}

/**
 * A development configuration of the portal in a new temporary data directory: generated
 * AUTH_SECRET and local KMS keyring, no other KMS settings, plus `opts.vars`. Call it at module
 * scope (before anything reads env()) or, with `stub`, in a beforeEach.
 */
export function configureTestEnv(opts: TestEnvOptions = {}): TestEnv {
  const name = opts.name ?? "test";
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `portcullis-${name}-`));
  const serviceToken = opts.serviceToken ? crypto.randomBytes(24).toString("base64url") : "";
  const vars: EnvVars = {
    AUTH_SECRET: crypto.randomBytes(32).toString("base64url"),
    LOCAL_KMS_KEYS: `${name}:${crypto.randomBytes(32).toString("base64")}`,
    PORTCULLIS_DATA_DIR: dataDir,
    KMS_PROVIDER: undefined,
    LOCAL_KMS_KEY_FILE: undefined,
    LOCAL_KMS_ACTIVE_KEY: undefined,
    ...(serviceToken && { PROXY_SERVICE_TOKEN: serviceToken }),
    ...opts.vars,
  };
  if (opts.stub) stubTestEnv(vars);
  else updateTestEnv(vars);
  return { dataDir, serviceToken, env: () => parseEnv(process.env) };
}

/** Points the portal code of this process at a test database (getDb reads DATABASE_URL), with more variables if given. */
export function pointAtDatabase(url: string, extra: EnvVars = {}): void {
  updateTestEnv({ DATABASE_URL: url, ...extra });
}

/** Disconnects the process's database client (the one `pointAtDatabase` pointed). */
export async function releaseDatabase(): Promise<void> {
  await disconnectDb();
}
