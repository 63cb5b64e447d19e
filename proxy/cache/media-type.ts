/**
 * The media type of a manifest kept as a blob in the store, where it is stored without one: the
 * manifest's own `mediaType` field, else what its shape says (an index has `manifests`), as
 * Distribution itself decides for a manifest pushed without a Content-Type.
 */
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

export function manifestMediaType(bytes: Buffer): string {
  try {
    const doc = JSON.parse(bytes.toString("utf8")) as { mediaType?: unknown; manifests?: unknown };
    if (typeof doc.mediaType === "string" && doc.mediaType) return doc.mediaType;
    return Array.isArray(doc.manifests) ? OCI_INDEX : OCI_MANIFEST;
  } catch {
    return OCI_MANIFEST;
  }
}

/** Whether a client's Accept header takes `mediaType` (no header, `*\/*` or the type itself). */
export function accepts(acceptHeader: string | undefined, mediaType: string): boolean {
  if (!acceptHeader?.trim()) return true;
  return acceptHeader.split(",").some((part) => {
    const type = part.split(";")[0]!.trim().toLowerCase();
    return type === "*/*" || type === mediaType.toLowerCase();
  });
}
