/**
 * Configuration checks without zod, for the registry proxy: zod alone is ~14 MiB of a process's
 * memory, more than the proxy's own live heap. The portal's schema (./env.ts) uses the same
 * functions where both read a variable, so one variable means one thing in both processes.
 *
 * Each reader takes the raw value (`undefined`, or a string as the environment holds it; empty or
 * only spaces counts as unset) and either returns the value or throws ConfigError naming the
 * variable in one line: `Invalid configuration: NAME <what is wrong>`.
 */

export class ConfigError extends Error {
  override name = "ConfigError";
}

export type EnvSource = Record<string, string | undefined>;

const fail = (name: string, message: string): never => {
  throw new ConfigError(`Invalid configuration: ${name} ${message}`);
};

/** Trimmed; empty (or only spaces) counts as unset. */
export function readString(source: EnvSource, name: string): string | undefined {
  const raw = source[name];
  return typeof raw === "string" ? raw.trim() || undefined : undefined;
}

/** An integer in [min, max]; unset gives `fallback`. */
export function readInteger(source: EnvSource, name: string, min: number, max: number): number | undefined;
export function readInteger(source: EnvSource, name: string, min: number, max: number, fallback: number): number;
export function readInteger(source: EnvSource, name: string, min: number, max: number, fallback?: number): number | undefined {
  const v = readString(source, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) fail(name, `must be an integer from ${min} to ${max}`);
  return n;
}

/** A URL `new URL()` accepts, or unset. */
export function readUrl(source: EnvSource, name: string): string | undefined {
  const v = readString(source, name);
  if (v !== undefined && !URL.canParse(v)) fail(name, "must be a URL");
  return v;
}

/** true/false/1/0, or unset. */
export function readBoolean(source: EnvSource, name: string): boolean | undefined {
  const v = readString(source, name);
  if (v === undefined) return undefined;
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  return fail(name, "must be true, false, 1 or 0");
}

/** One of `values`; unset gives `fallback`. */
export function readChoice<const T extends string>(source: EnvSource, name: string, values: readonly T[], fallback: T): T {
  const v = readString(source, name);
  if (v === undefined) return fallback;
  return values.includes(v as T) ? (v as T) : fail(name, `must be one of ${values.join(", ")}`);
}

/** A secret of at least `min` characters, or unset. */
export function readSecret(source: EnvSource, name: string, min: number): string | undefined {
  const v = readString(source, name);
  if (v !== undefined && v.length < min) fail(name, `must be at least ${min} characters`);
  return v;
}

const INSECURE_ENTRY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/;
export const MAX_INSECURE_REGISTRIES = 100;

/**
 * INSECURE_REGISTRIES: `host[:port]` entries separated by commas, lowercased. Returns the list, or
 * the message saying what is wrong with it.
 */
export function parseInsecureRegistries(value: string): string[] | { error: string } {
  const entries = value
    .split(",")
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  for (const e of entries) {
    if (!INSECURE_ENTRY.test(e)) return { error: "must list host[:port] entries separated by commas (no scheme, no path)" };
    if (e.includes(":") && Number(e.split(":")[1]) > 65535) return { error: "has a port above 65535" };
  }
  if (entries.length > MAX_INSECURE_REGISTRIES) return { error: `must list at most ${MAX_INSECURE_REGISTRIES} entries` };
  return entries;
}

export function readInsecureRegistries(source: EnvSource, name = "INSECURE_REGISTRIES"): string[] {
  const parsed = parseInsecureRegistries(readString(source, name) ?? "");
  return Array.isArray(parsed) ? parsed : fail(name, parsed.error);
}

/**
 * Defaults that depend on NODE_ENV. In development, loopback and private addresses (registries,
 * identity providers) are allowed unless ALLOW_PRIVATE_HOSTS or its older name
 * ALLOW_PRIVATE_REGISTRY_HOSTS says otherwise: a Distribution on 127.0.0.1 is the usual first
 * registry there. Production and tests never allow them by default. Development also stops
 * without a drain delay (PORTAL_DRAIN_DELAY_MS 0): no load balancer is there to notice.
 */
export function withModeDefaults(source: EnvSource): EnvSource {
  const development = (source.NODE_ENV?.trim() || "development") === "development";
  if (!development) return source;
  const defaults: Record<string, string> = {};
  if (!source.ALLOW_PRIVATE_HOSTS?.trim() && !source.ALLOW_PRIVATE_REGISTRY_HOSTS?.trim()) defaults.ALLOW_PRIVATE_HOSTS = "true";
  if (!source.PORTAL_DRAIN_DELAY_MS?.trim()) defaults.PORTAL_DRAIN_DELAY_MS = "0";
  return { ...source, ...defaults };
}

/** ALLOW_PRIVATE_HOSTS, else its older name ALLOW_PRIVATE_REGISTRY_HOSTS (default false). */
export const allowPrivateHosts = (e: { ALLOW_PRIVATE_HOSTS?: boolean | undefined; ALLOW_PRIVATE_REGISTRY_HOSTS: boolean }): boolean =>
  e.ALLOW_PRIVATE_HOSTS ?? e.ALLOW_PRIVATE_REGISTRY_HOSTS;
