import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hashKeyringFromEnv, parseHashKeys } from "./hash-keys";

const S1 = "a".repeat(32);
const S2 = "b".repeat(40);
const noFile = () => {
  throw new Error("no development file expected");
};

describe("TOKEN_HASH_KEYS", () => {
  it("parses id:secret entries; the active key is TOKEN_HASH_ACTIVE_KEY or the last listed", () => {
    const ring = hashKeyringFromEnv({ NODE_ENV: "production", TOKEN_HASH_KEYS: `k1:${S1}, k2:${S2}`, TOKEN_HASH_ACTIVE_KEY: undefined }, noFile);
    expect(ring.keys.map((k) => k.id)).toEqual(["k1", "k2"]);
    expect(ring.active.id).toBe("k2");
    expect(hashKeyringFromEnv({ NODE_ENV: "production", TOKEN_HASH_KEYS: `k1:${S1},k2:${S2}`, TOKEN_HASH_ACTIVE_KEY: "k1" }, noFile).active.id).toBe("k1");
  });

  it("refuses, naming the variable and never echoing a secret: short, duplicate, reserved or malformed entries, an unknown active key", () => {
    const bad: Array<[string, RegExp]> = [
      [`k1:short`, /key "k1" is shorter than 32 characters/],
      [`k1:${S1},k1:${S2}`, /lists key "k1" twice/],
      [`auth-secret:${S1}`, /can't use the key id "auth-secret"/],
      [S1, /entry 1 is not "id:secret"/],
      [`${S2}x/:${S1}`, /entry 1 has an invalid key id/],
    ];
    for (const [value, message] of bad) {
      const err = (() => {
        try {
          parseHashKeys(value, "TOKEN_HASH_KEYS");
        } catch (e) {
          return e as Error;
        }
        throw new Error(`accepted ${value}`);
      })();
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/^Invalid configuration: TOKEN_HASH_KEYS/);
      expect(err.message).not.toContain(S1);
    }
    expect(() => hashKeyringFromEnv({ NODE_ENV: "production", TOKEN_HASH_KEYS: `k1:${S1}`, TOKEN_HASH_ACTIVE_KEY: "k9" }, noFile)).toThrow(/TOKEN_HASH_ACTIVE_KEY names key "k9"/);
  });

  it("is required in production; development generates one key file and reuses it", () => {
    expect(() => hashKeyringFromEnv({ NODE_ENV: "production", TOKEN_HASH_KEYS: undefined, TOKEN_HASH_ACTIVE_KEY: undefined }, noFile)).toThrow(
      "Invalid configuration: TOKEN_HASH_KEYS is required when NODE_ENV=production",
    );
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-hash-keys-")), "token-hash-keys");
    const dev = { NODE_ENV: "development" as const, TOKEN_HASH_KEYS: undefined, TOKEN_HASH_ACTIVE_KEY: undefined };
    const first = hashKeyringFromEnv(dev, () => file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(hashKeyringFromEnv(dev, () => file)).toEqual(first);
    expect(first.active.secret.length).toBeGreaterThanOrEqual(32);
  });
});
