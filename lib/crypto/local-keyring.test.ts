import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, parseEnv } from "@/lib/config/env";
import { DEV_KEY_FILE, localProviderFromEnv } from "./providers/local-keyring";

const b64 = (n = 32) => crypto.randomBytes(n).toString("base64");
let dir: string;
let warnings: string[];
const warn = (m: string) => warnings.push(m);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-kms-"));
  warnings = [];
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const envOf = (vars: Record<string, string>) => parseEnv({ PORTCULLIS_DATA_DIR: dir, ...vars });
const prod = (vars: Record<string, string>) => envOf({ NODE_ENV: "production", AUTH_SECRET: "x".repeat(32), ...vars });

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).not.toContain("\n");
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("local keyring from the environment", () => {
  it("reads LOCAL_KMS_KEYS; the last listed key is active unless LOCAL_KMS_ACTIVE_KEY says otherwise", async () => {
    const keys = `k1:${b64()},k2:${b64()}`;
    expect((await localProviderFromEnv(envOf({ LOCAL_KMS_KEYS: keys }), { warn }).activeKey()).keyId).toBe("k2");
    expect((await localProviderFromEnv(envOf({ LOCAL_KMS_KEYS: keys, LOCAL_KMS_ACTIVE_KEY: "k1" }), { warn }).activeKey()).keyId).toBe("k1");
  });

  it("reads LOCAL_KMS_KEY_FILE with one key per line, comments and commas", async () => {
    const file = path.join(dir, "keys");
    fs.writeFileSync(file, `# rotated 2025-01\nold:${b64()}\n\nnew:${b64()}, newer:${b64()}\n`, { mode: 0o600 });
    const provider = localProviderFromEnv(envOf({ LOCAL_KMS_KEY_FILE: file }), { warn });
    expect(provider.keyIds()).toEqual(["old", "new", "newer"]);
    expect((await provider.activeKey()).keyId).toBe("newer");
    expect(warnings).toEqual([]);
  });

  it("in development with nothing configured, generates one key once (mode 0600, warning) and reuses it", async () => {
    const first = localProviderFromEnv(envOf({}), { warn });
    const file = path.join(dir, DEV_KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(file);
    const content = fs.readFileSync(file, "utf8");

    const second = localProviderFromEnv(envOf({}), { warn });
    expect(fs.readFileSync(file, "utf8")).toBe(content);
    expect(warnings).toHaveLength(1);
    expect(await second.activeKey()).toEqual(await first.activeKey());
    // Same key material: what the first wrapped, the second unwraps.
    const ctx = { teamId: "t" };
    const dk = await first.generateDataKey(ctx);
    expect(await second.unwrap(dk.wrappedKey, dk.keyId, dk.keyVersion, ctx)).toEqual(dk.plaintextKey);
    expect(warnings.join()).not.toContain(content.split(":").pop()!.trim());
  });

  it("warns when the key file is readable by others", () => {
    const file = path.join(dir, "keys");
    fs.writeFileSync(file, `k1:${b64()}`, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    localProviderFromEnv(envOf({ LOCAL_KMS_KEY_FILE: file }), { warn });
    expect(warnings.join()).toMatch(/chmod 600/);
  });

  it("in production, a missing keyring stops the start with a one-line message naming the variable", () => {
    const e = configError(() => localProviderFromEnv(prod({}), { warn }));
    expect(e.message).toMatch(/LOCAL_KMS_KEYS/);
    expect(fs.existsSync(path.join(dir, DEV_KEY_FILE))).toBe(false);
  });

  it("a short or malformed key is an error naming the variable and the key id, never the key", () => {
    const short = b64(16);
    for (const make of [prod, envOf]) {
      const e = configError(() => localProviderFromEnv(make({ LOCAL_KMS_KEYS: `k1:${b64()},k2:${short}` }), { warn }));
      expect(e.message).toMatch(/LOCAL_KMS_KEYS key "k2" is 16 bytes/);
      expect(e.message).not.toContain(short);
    }
    expect(configError(() => localProviderFromEnv(prod({ LOCAL_KMS_KEYS: "k1:%%%notbase64" }), { warn })).message).toMatch(
      /LOCAL_KMS_KEYS key "k1" is not valid base64/,
    );
    const pasted = b64();
    const noId = configError(() => localProviderFromEnv(prod({ LOCAL_KMS_KEYS: pasted }), { warn }));
    expect(noId.message).toMatch(/LOCAL_KMS_KEYS entry 1 is not "id:base64key"/);
    expect(noId.message).not.toContain(pasted);
    expect(configError(() => localProviderFromEnv(prod({ LOCAL_KMS_KEYS: `k1:${b64()},k1:${b64()}` }), { warn })).message).toMatch(/twice/);
    expect(configError(() => localProviderFromEnv(prod({ LOCAL_KMS_KEYS: `k1:${b64()}`, LOCAL_KMS_ACTIVE_KEY: "k9" }), { warn })).message).toMatch(
      /LOCAL_KMS_ACTIVE_KEY names key "k9"/,
    );
    expect(configError(() => localProviderFromEnv(prod({ LOCAL_KMS_KEY_FILE: path.join(dir, "missing") }), { warn })).message).toMatch(
      /LOCAL_KMS_KEY_FILE cannot be read \(ENOENT/,
    );
  });

  it("does not generate a development key when it is only needed to read old secrets", () => {
    configError(() => localProviderFromEnv(envOf({}), { warn, generateIfMissing: false }));
    expect(fs.existsSync(path.join(dir, DEV_KEY_FILE))).toBe(false);
  });
});
