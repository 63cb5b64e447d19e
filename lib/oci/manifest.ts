import crypto from "node:crypto";

/** Manifest media types a pull client must accept (OCI image spec, Docker image manifest v2.2). */
export const MEDIA_TYPES = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
} as const;

/**
 * The default Accept for manifest requests. Indexes first: a registry then returns a
 * multi-platform image as it is instead of picking a platform. Distribution answers 404 for an
 * OCI manifest requested without the OCI types, so all four always go.
 */
export const DEFAULT_MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(", ");

/** Manifests are small; Distribution refuses those over 4 MiB. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ManifestSummary {
  kind: "index" | "image";
  mediaType: string;
  digest: string;
  size: number;
  /** Index: the platforms it lists (attestation entries such as unknown/unknown left out). Image: filled by the caller from the config when known. */
  platforms: Platform[];
  /** Image only. */
  layers?: number;
  layerBytes?: number;
  configDigest?: string;
  /** Image only: the config's media type, which says what kind of artifact it is (a Helm chart: HELM_CHART_CONFIG). */
  configMediaType?: string;
}

/** The config media type of a Helm chart stored as an OCI artifact (what `helm push` writes). */
export const HELM_CHART_CONFIG = "application/vnd.cncf.helm.config.v1+json";

/** Is this manifest a Helm chart? */
export const isHelmChart = (m: Pick<ManifestSummary, "configMediaType">) => m.configMediaType === HELM_CHART_CONFIG;

export const formatPlatform = (p: Platform) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ""}`;

export const sha256Digest = (bytes: Buffer | string) => `sha256:${crypto.createHash("sha256").update(bytes).digest("hex")}`;

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

/** Reads a manifest or index; the media type comes from the body, else from Content-Type. */
export function summarizeManifest(bytes: Buffer, contentType: string | undefined, digest?: string): ManifestSummary {
  const doc = JSON.parse(bytes.toString("utf8")) as { mediaType?: string; manifests?: Descriptor[]; layers?: Descriptor[]; config?: Descriptor };
  const mediaType = doc.mediaType ?? contentType?.split(";")[0]?.trim() ?? "";
  const isIndex = Array.isArray(doc.manifests) || mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList;
  const base = { mediaType, digest: digest ?? sha256Digest(bytes), size: bytes.length };
  if (isIndex) {
    const platforms = (doc.manifests ?? [])
      .map((m) => m.platform)
      .filter((p): p is Platform => !!p?.os && !!p.architecture && p.os !== "unknown")
      .map((p) => ({ os: p.os, architecture: p.architecture, ...(p.variant && { variant: p.variant }) }));
    return { kind: "index", ...base, platforms };
  }
  const layers = doc.layers ?? [];
  return {
    kind: "image",
    ...base,
    platforms: [],
    layers: layers.length,
    layerBytes: layers.reduce((n, l) => n + (l.size ?? 0), 0),
    configDigest: doc.config?.digest,
    ...(doc.config?.mediaType && { configMediaType: doc.config.mediaType }),
  };
}

/** The platform an image config declares (`os`, `architecture`, `variant`), if it does. */
export function platformOfConfig(bytes: Buffer): Platform | undefined {
  try {
    const c = JSON.parse(bytes.toString("utf8")) as { os?: string; architecture?: string; variant?: string };
    return c.os && c.architecture ? { os: c.os, architecture: c.architecture, ...(c.variant && { variant: c.variant }) } : undefined;
  } catch {
    return undefined;
  }
}

export interface OciErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/** `{"errors":[{code,message,detail}]}` from a registry error body; [] when it isn't one. */
export function parseOciErrors(bytes: Buffer | undefined): OciErrorEntry[] {
  if (!bytes?.length) return [];
  try {
    const doc = JSON.parse(bytes.toString("utf8")) as { errors?: unknown };
    if (!Array.isArray(doc.errors)) return [];
    return doc.errors
      .filter((e): e is { code: string; message?: unknown; detail?: unknown } => typeof e?.code === "string")
      .map((e) => ({ code: e.code, ...(typeof e.message === "string" && { message: e.message.slice(0, 300) }), ...(e.detail !== undefined && { detail: e.detail }) }));
  } catch {
    return [];
  }
}
