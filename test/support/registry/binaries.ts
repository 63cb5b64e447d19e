import fs from "node:fs";
import path from "node:path";

/**
 * System tools the registry harness drives. Locally a missing tool skips the tests that need it;
 * with CI=true it is a failure, never a skip (docs/contracts.md, "npm scripts"), raised when the
 * test file is collected.
 */
export const PACKAGES: Record<string, string> = {
  "docker-registry": "docker-registry",
  skopeo: "skopeo",
  htpasswd: "apache2-utils",
  openssl: "openssl",
};

export function findBinary(name: string): string | undefined {
  if (name.includes("/")) return isExecutable(name) ? name : undefined;
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  // Distribution's package installs to /usr/bin; PATH in some runners omits nothing else we need.
  return isExecutable(`/usr/bin/${name}`) ? `/usr/bin/${name}` : undefined;
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export const isCI = () => /^(1|true|yes)$/i.test(process.env.CI ?? "");

/**
 * True when every tool is installed. When one is missing: throws under CI, returns false
 * elsewhere (use with `describe.skipIf(!requireBinaries(...))`).
 */
export function requireBinaries(...names: string[]): boolean {
  const missing = names.filter((n) => !findBinary(n));
  if (missing.length === 0) return true;
  const hint = `apt-get install -y --no-install-recommends ${[...new Set(missing.map((m) => PACKAGES[m] ?? m))].join(" ")}`;
  if (isCI()) throw new Error(`Missing system dependency: ${missing.join(", ")} (CI=true makes this a failure). Install with: ${hint}`);
  console.warn(`[registry harness] skipping: ${missing.join(", ")} not installed (${hint})`);
  return false;
}

/** Throws when a tool is missing (inside a harness function: never silently skip work). */
export function binary(name: string): string {
  const found = findBinary(name);
  if (!found) throw new Error(`Missing system dependency: ${name} (apt-get install -y ${PACKAGES[name] ?? name})`);
  return found;
}
