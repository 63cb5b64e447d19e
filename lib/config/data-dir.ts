import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { env } from "./env";

/** The data directory for embedded state (PGlite, generated development secrets). */
export function dataDir(): string {
  const dir = path.resolve(env().PORTCULLIS_DATA_DIR);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * Reads a secret generated once into the data directory, creating it (mode 0600) on first use.
 * Only for development: production requires the secret in the environment.
 */
export function generatedSecret(fileName: string, bytes = 32): string {
  const file = path.join(dataDir(), fileName);
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
