import fs from "node:fs";
import path from "node:path";

/**
 * Has Next use the configuration it was built with (`<distDir>/required-server-files.json`), as
 * the server.js of its standalone output does, so the production portal needs no next.config.js
 * (the container image has none). Keeps a configuration already given in the environment.
 */
export function applyBuiltNextConfig(dir: string): void {
  if (process.env.__NEXT_PRIVATE_STANDALONE_CONFIG) return;
  const file = path.join(dir, process.env.PORTCULLIS_NEXT_DIST_DIR || ".next", "required-server-files.json");
  if (!fs.existsSync(file)) return;
  const { config } = JSON.parse(fs.readFileSync(file, "utf8")) as { config: unknown };
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
}
