import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Reads a secret generated once into `dir` (created mode 0700), creating the file (mode 0600) on
 * first use. Only for development: production requires the secret in the environment.
 * Configuration-free, so the proxy reads its development service token without the portal's
 * configuration schema (./data-dir.ts `generatedSecret` is this in PORTCULLIS_DATA_DIR).
 */
export function generatedSecretIn(dir: string, fileName: string, bytes = 32): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, fileName);
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const value = crypto.randomBytes(bytes).toString("base64url");
  try {
    fs.writeFileSync(file, value + "\n", { mode: 0o600, flag: "wx" });
  } catch (e) {
    // Another process won the race: use its value.
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return fs.readFileSync(file, "utf8").trim();
    throw e;
  }
  return value;
}
