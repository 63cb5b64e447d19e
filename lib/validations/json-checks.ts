/**
 * Small checks for JSON the registry proxy reads (the portal's answers, its own pull-log file, an
 * upstream's referrers list), written by hand instead of with zod: zod costs a process ~14 MiB of
 * memory, more than the proxy's live heap. Each check returns the value, typed, or throws
 * ShapeError naming the field (`registry.cache.token must be a string`). Objects are rebuilt from the fields a
 * reader names, so unknown fields are dropped (as zod's objects do) or, with `strictKeys`,
 * refused.
 */

export class ShapeError extends Error {
  override name = "ShapeError";
}

export type Fields = Record<string, unknown>;

const fail = (path: string, message: string): never => {
  throw new ShapeError(`${path || "the document"} ${message}`);
};

export function object(v: unknown, path: string): Fields {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Fields) : fail(path, "must be an object");
}

/** Refuses fields other than `keys`. */
export function strictKeys(o: Fields, keys: readonly string[], path: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(path ? `${path}.${k}` : k, "is not a known field");
}

export function string(v: unknown, path: string, opts: { min?: number; max?: number; pattern?: RegExp; test?: (s: string) => boolean; what?: string } = {}): string {
  if (typeof v !== "string") return fail(path, "must be a string");
  if ((opts.min !== undefined && v.length < opts.min) || (opts.max !== undefined && v.length > opts.max) || (opts.pattern && !opts.pattern.test(v)) || (opts.test && !opts.test(v))) {
    return fail(path, opts.what ?? `must be a string of ${opts.min ?? 0} to ${opts.max ?? "any number of"} characters`);
  }
  return v;
}

/** A safe integer in [min, max]. */
export function integer(v: unknown, path: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= max ? v : fail(path, `must be an integer from ${min} to ${max}`);
}

export function boolean(v: unknown, path: string): boolean {
  return typeof v === "boolean" ? v : fail(path, "must be true or false");
}

export function oneOf<const T extends string>(v: unknown, values: readonly T[], path: string): T {
  return typeof v === "string" && values.includes(v as T) ? (v as T) : fail(path, `must be one of ${values.join(", ")}`);
}

export function array<T>(v: unknown, path: string, item: (v: unknown, path: string) => T): T[] {
  return Array.isArray(v) ? v.map((e, i) => item(e, `${path}[${i}]`)) : fail(path, "must be an array");
}

/** `undefined` when absent (or undefined), else `read(v)`; null is not absent. */
export const optional = <T>(v: unknown, read: (v: unknown) => T): T | undefined => (v === undefined ? undefined : read(v));

export const nullable = <T>(v: unknown, read: (v: unknown) => T): T | null => (v === null ? null : read(v));

/** Only the fields whose value is not undefined (an absent optional field stays absent). */
export function defined<T extends Fields>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

const UUID = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;
export const uuid = (v: unknown, path: string) => string(v, path, { pattern: UUID, what: "must be a UUID" });

/** ISO 8601 in UTC as `Date.toISOString` writes it (fractional seconds optional), a real date. */
const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?Z$/;
const realDate = (s: string) => {
  const [, y, m, d] = ISO_DATETIME.exec(s)!;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
};
export const isoDatetime = (v: unknown, path: string) => string(v, path, { test: (s) => ISO_DATETIME.test(s) && realDate(s), what: "must be an ISO 8601 date and time in UTC" });

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
export const sha256Digest = (v: unknown, path: string) => string(v, path, { pattern: SHA256_DIGEST, what: "must be a sha256 digest" });

/** Reads `doc` with `read`; undefined (not a throw) when it does not fit. */
export function tryRead<T>(doc: unknown, read: (doc: unknown) => T): T | undefined {
  try {
    return read(doc);
  } catch (e) {
    if (e instanceof ShapeError) return undefined;
    throw e;
  }
}
