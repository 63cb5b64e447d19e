import fs from "node:fs";
import path from "node:path";
import { env } from "./env";
import { generatedSecretIn } from "./generated-secret";

/** The data directory for embedded state (PGlite, generated development secrets). */
export function dataDir(): string {
  const dir = path.resolve(env().PORTCULLIS_DATA_DIR);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** A secret generated once into the data directory (./generated-secret.ts): development only. */
export function generatedSecret(fileName: string, bytes = 32): string {
  return generatedSecretIn(dataDir(), fileName, bytes);
}
