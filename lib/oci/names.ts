import { InvalidReferenceError } from "./errors";

/**
 * The grammar of the OCI distribution spec (v1.1, "Pulling manifests"): repository names, tags
 * and digests. Everything that ends up in an upstream URL path passes through these checks, so
 * they are also what keeps `..`, `%2f` and friends out of the proxy's upstream requests.
 */

/** One path component of a repository name: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`. */
export const COMPONENT_PATTERN = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
/** `<name>` of the spec, anchored. */
const REPOSITORY_PATTERN = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
/** `<reference>` as a tag: at most 128 characters. */
const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
/** `<digest>`: algorithm ":" encoded. */
const DIGEST_PATTERN = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * Docker and most registries refuse names longer than 255 characters (host included); we apply
 * it to the repository path so a hostile path can't make us build absurd upstream URLs.
 */
const MAX_REPOSITORY_LENGTH = 255;

/** The registered algorithms and their exact encodings. Others are refused (the spec allows it). */
const DIGEST_ENCODINGS: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};

export const isValidRepository = (name: string) => name.length <= MAX_REPOSITORY_LENGTH && REPOSITORY_PATTERN.test(name);
export const isValidTag = (tag: string) => TAG_PATTERN.test(tag);
export function isValidDigest(digest: string): boolean {
  if (!DIGEST_PATTERN.test(digest)) return false;
  const [algorithm, encoded] = splitDigest(digest);
  return DIGEST_ENCODINGS[algorithm]?.test(encoded) ?? false;
}

function splitDigest(digest: string): [string, string] {
  const i = digest.indexOf(":");
  return [digest.slice(0, i), digest.slice(i + 1)];
}

/** Parsed digest; throws DIGEST_INVALID for anything but a well-formed sha256/sha512 digest. */
export function parseDigest(digest: string): { algorithm: "sha256" | "sha512"; hex: string } {
  if (!isValidDigest(digest)) {
    throw new InvalidReferenceError("DIGEST_INVALID", `"${clip(digest)}" is not a valid digest (expected sha256:<64 hex digits>).`);
  }
  const [algorithm, hex] = splitDigest(digest);
  return { algorithm: algorithm as "sha256" | "sha512", hex };
}

export function assertRepository(name: string): string {
  if (!isValidRepository(name)) {
    throw new InvalidReferenceError(
      "NAME_INVALID",
      name.length > MAX_REPOSITORY_LENGTH
        ? `The repository name is longer than ${MAX_REPOSITORY_LENGTH} characters.`
        : `"${clip(name)}" is not a valid repository name (lowercase letters, digits and . _ - separators, parts joined by /).`,
    );
  }
  return name;
}

export function assertTag(tag: string): string {
  if (!isValidTag(tag)) {
    throw new InvalidReferenceError("TAG_INVALID", `"${clip(tag)}" is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -).`);
  }
  return tag;
}

/** A manifest reference is a tag or a digest; anything containing ":" must be a digest. */
export function assertManifestReference(ref: string): string {
  if (ref.includes(":")) {
    parseDigest(ref);
    return ref;
  }
  return assertTag(ref);
}

/** Echo user input in messages without letting a megabyte of it through. */
export function clip(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
