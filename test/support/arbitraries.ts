import fc from "fast-check";

/**
 * fast-check generators shared by the property tests: strings built from the characters that
 * matter to registry names, paths and headers (separators, encodings, NUL, whitespace, non-ASCII),
 * and the grammar of well-formed OCI names for the "everything valid is accepted" half.
 */

/** Characters that have a meaning somewhere in a reference, a URL path or a header. */
const HOSTILE_CHARS = [..."aAzZ09._-/:@[]%?#+=,*\\ \t\n\r", "\u0000", "\u00e9", "\u200b", "\uff0f", "\ud83d\ude00"];
const PIECES = ["..", "%2f", "%2F", "%3a", "%00", "sha256:", "library/", "proxy/", "v2/", "localhost", "docker.io", "127.0.0.1:5000", "::", "//"];

/** Short strings that mix the characters and pieces above with arbitrary unicode. */
export const hostileString = (maxLength = 40) =>
  fc.oneof(
    fc
      .array(fc.oneof(fc.constantFrom(...HOSTILE_CHARS), fc.constantFrom(...PIECES)), { maxLength })
      .map((parts) => parts.join("")),
    fc.string({ maxLength, unit: "grapheme" }),
    fc.string({ maxLength, unit: "binary" }),
  );

const alnum = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789");
const word = (max: number) => fc.array(alnum, { minLength: 1, maxLength: max }).map((a) => a.join(""));

/** One repository path component: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`. */
export const component = fc
  .tuple(word(8), fc.array(fc.tuple(fc.constantFrom(".", "_", "__", "-", "--"), word(6)), { maxLength: 2 }))
  .map(([head, rest]) => head + rest.map(([sep, w]) => sep + w).join(""));

/** A repository of 1–4 components (well under the 255-character limit). */
export const repository = fc.array(component, { minLength: 1, maxLength: 4 }).map((c) => c.join("/"));

export const tag = fc
  .tuple(fc.constantFrom(..."abcXYZ019_"), fc.array(fc.constantFrom(..."abcXYZ019._-"), { maxLength: 20 }))
  .map(([first, rest]) => first + rest.join(""));

export const digest = fc
  .oneof(
    fc.tuple(fc.constant("sha256"), fc.array(fc.constantFrom(..."0123456789abcdef"), { minLength: 64, maxLength: 64 })),
    fc.tuple(fc.constant("sha512"), fc.array(fc.constantFrom(..."0123456789abcdef"), { minLength: 128, maxLength: 128 })),
  )
  .map(([alg, hex]) => `${alg}:${hex.join("")}`);

/** A registry host with a dot (so it reads as a host), optionally with a port. */
export const host = fc
  .tuple(fc.array(word(6), { minLength: 2, maxLength: 3 }), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
  .map(([labels, port]) => labels.join(".") + (port ? `:${port}` : ""));
