import { looksLikeLicenseId } from "@/lib/licenses/license-login";
import { COMPONENT_PATTERN } from "@/lib/oci/names";
import { InstallerError } from "./errors";

/** Checks and normalises the values the installer is given (flags of `images rewrite` and `pull-secret`). */

const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;
const NAMESPACE = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/;

/** `proxy.example.com`, `proxy.example.com:5050` or a URL (`https://proxy.example.com/`) → host[:port]. */
export function normalizeHost(value: string, flag: string): string {
  let v = value.trim().toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(v)) {
    try {
      const url = new URL(v);
      if (url.pathname !== "/" || url.search) throw new Error();
      v = url.host;
    } catch {
      throw new InstallerError(`--${flag} "${value}" is not a host (host[:port], no path)`);
    }
  }
  v = v.replace(/\/+$/, "");
  if (!HOST.test(v)) throw new InstallerError(`--${flag} "${value}" is not a host (host[:port], no path)`);
  return v;
}

export function checkAppSlug(slug: string): string {
  if (!COMPONENT_PATTERN.test(slug)) throw new InstallerError(`--app "${slug}" is not an app slug (lowercase letters, digits and - . _)`);
  return slug;
}

export function checkNamespace(ns: string, flag = "namespace"): string {
  if (ns.length > 63 || !NAMESPACE.test(ns)) throw new InstallerError(`--${flag} "${ns}" is not a Kubernetes namespace name (lowercase letters, digits and -, at most 63)`);
  return ns;
}

/** A missing or malformed license is a user error (exit 1), not bad usage: the installer needs one. */
export function checkLicenseId(id: string | undefined): string {
  const v = (id ?? "").trim();
  if (!v) throw new InstallerError("no license: pass --license-id with the license ID your vendor gave you");
  if (!looksLikeLicenseId(v)) throw new InstallerError("--license-id is not a license ID (20 to 64 letters, digits, - and _)");
  return v;
}

/** `a,b , c` → ["a","b","c"], each checked, duplicates and the main namespace dropped. */
export function parseNamespaceList(value: string | undefined, main: string): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const raw of value.split(",")) {
    const ns = raw.trim();
    if (!ns) continue;
    checkNamespace(ns, "additional-namespaces");
    if (ns !== main && !out.includes(ns)) out.push(ns);
  }
  return out;
}

/** `--registry-name HOST=NAME`: the portal's name of a registry, for hosts a proxy path can't hold (host:port). */
export function parseRegistryNames(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf("=");
    if (eq <= 0) throw new InstallerError(`--registry-name "${v}" must be HOST=NAME`);
    const host = normalizeHost(v.slice(0, eq), "registry-name");
    const name = v.slice(eq + 1).trim();
    if (!COMPONENT_PATTERN.test(name)) throw new InstallerError(`--registry-name "${v}": "${name}" is not a registry name (lowercase letters, digits and - . _)`);
    out[host] = name;
  }
  return out;
}
