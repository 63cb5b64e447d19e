import { MEDIA_TYPES } from "./manifest";
import { isValidDigest, parseDigest } from "./names";

/**
 * The referrers list of a manifest (OCI distribution spec 1.1, "Listing Referrers"): an image
 * index of the manifests whose `subject` is that digest, each descriptor with its `artifactType`
 * and annotations. A registry with the referrers API answers `GET /v2/<name>/referrers/<digest>`
 * with it; on one without (a 404, e.g. CNCF Distribution 2.8) the clients that push referrers
 * maintain the same index under a tag named after the subject's digest ("Referrers Tag Schema").
 */

/** The answer's Content-Type, whichever way the list was read. */
export const REFERRERS_MEDIA_TYPE = MEDIA_TYPES.ociIndex;

/** The response header that says which filters the answer applied (only `artifactType` exists). */
export const FILTERS_APPLIED_HEADER = "oci-filters-applied";

/** A media type (RFC 6838 restricted names, `type/subtype`), as `artifactType` filters are written. */
const MEDIA_TYPE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export const isValidArtifactType = (value: string) => MEDIA_TYPE_PATTERN.test(value);

/**
 * The tag of a subject's referrers index: the algorithm truncated to 32 characters, `-`, the
 * encoded part truncated to 64, every character a tag can't hold replaced by `-`
 * (`sha256:abc…` → `sha256-abc…`). Throws DIGEST_INVALID for a malformed digest.
 */
export function referrersTag(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return `${algorithm.slice(0, 32)}-${hex.slice(0, 64)}`.replace(/[^a-zA-Z0-9_.-]/g, "-");
}

/** A descriptor in a referrers list; other fields are kept as they came. */
export interface ReferrerDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** An image index as a referrers list: unknown fields (annotations, subject, …) are kept as they came. */
export interface ReferrersIndex {
  schemaVersion: 2;
  mediaType?: typeof MEDIA_TYPES.ociIndex;
  manifests: ReferrerDescriptor[];
  [field: string]: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function isDescriptor(v: unknown): v is ReferrerDescriptor {
  return (
    isObject(v) &&
    typeof v.mediaType === "string" &&
    v.mediaType.length > 0 &&
    typeof v.digest === "string" &&
    isValidDigest(v.digest) &&
    typeof v.size === "number" &&
    Number.isSafeInteger(v.size) &&
    v.size >= 0 &&
    (v.artifactType === undefined || typeof v.artifactType === "string") &&
    (v.annotations === undefined || (isObject(v.annotations) && Object.values(v.annotations).every((a) => typeof a === "string")))
  );
}

/** Checked by hand, not with zod: the registry proxy reads these, and zod would cost it ~14 MiB. */
function isReferrersIndex(v: unknown): v is ReferrersIndex {
  return (
    isObject(v) &&
    v.schemaVersion === 2 &&
    (v.mediaType === undefined || v.mediaType === MEDIA_TYPES.ociIndex) &&
    Array.isArray(v.manifests) &&
    v.manifests.every(isDescriptor)
  );
}

/** The index of a subject nothing refers to. */
export const emptyReferrersIndex = (): ReferrersIndex => ({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [] });

/** Reads a referrers list (an upstream's answer, the tag schema's index); undefined when the bytes are not an OCI image index. */
export function parseReferrersIndex(bytes: Buffer): ReferrersIndex | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch {
    return undefined;
  }
  return isReferrersIndex(doc) ? doc : undefined;
}

/** The index with only the descriptors of that artifact type (compared exactly, as the spec's registries do). */
export function filterReferrers(index: ReferrersIndex, artifactType: string): ReferrersIndex {
  return { ...index, manifests: index.manifests.filter((m) => m.artifactType === artifactType) };
}
