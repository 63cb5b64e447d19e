import crypto from "node:crypto";

/**
 * Pushing content to a registry with the OCI distribution API itself (POST/PUT blob uploads, PUT
 * manifests), as oras, helm and cosign do: for artifacts skopeo can't build — Helm charts,
 * signatures, SBOMs, manifests with a `subject` and referrers indexes under the tag schema.
 */

export interface PushTarget {
  /** The registry's base URL, e.g. http://127.0.0.1:5000. */
  url: string;
  repository: string;
  creds?: { username: string; password: string };
  /** A registry token (e.g. from the hosted registry's token service), sent instead of `creds`. */
  bearer?: string;
}

export interface PushedDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface PushedManifest extends PushedDescriptor {
  /** The manifest exactly as pushed. */
  bytes: Buffer;
}

export const OCI = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  index: "application/vnd.oci.image.index.v1+json",
  empty: "application/vnd.oci.empty.v1+json",
} as const;

const digestOf = (bytes: Buffer) => `sha256:${crypto.createHash("sha256").update(bytes).digest("hex")}`;

function authHeaders(target: PushTarget): Record<string, string> {
  if (target.bearer) return { authorization: `Bearer ${target.bearer}` };
  const c = target.creds;
  return c ? { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString("base64")}` } : {};
}

async function expectStatus(res: Response, status: number, what: string): Promise<void> {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
}

/** A blob by a two-step upload (POST, then PUT with the digest); returns its descriptor. */
export async function pushBlob(target: PushTarget, mediaType: string, bytes: Buffer): Promise<PushedDescriptor> {
  const digest = digestOf(bytes);
  const start = await fetch(`${target.url}/v2/${target.repository}/blobs/uploads/`, { method: "POST", headers: authHeaders(target) });
  await expectStatus(start, 202, `start upload to ${target.repository}`);
  const location = new URL(start.headers.get("location")!, `${target.url}/`);
  location.searchParams.set("digest", digest);
  const put = await fetch(location, {
    method: "PUT",
    headers: { ...authHeaders(target), "content-type": "application/octet-stream", "content-length": String(bytes.length) },
    body: new Uint8Array(bytes),
  });
  await expectStatus(put, 201, `finish upload of ${digest}`);
  return { mediaType, digest, size: bytes.length };
}

/** A manifest or index, its bytes as given, under a tag (or by its digest when `reference` is omitted). */
export async function pushManifest(target: PushTarget, bytes: Buffer, mediaType: string, reference?: string): Promise<PushedManifest> {
  const digest = digestOf(bytes);
  const res = await fetch(`${target.url}/v2/${target.repository}/manifests/${reference ?? digest}`, {
    method: "PUT",
    headers: { ...authHeaders(target), "content-type": mediaType },
    body: new Uint8Array(bytes),
  });
  await expectStatus(res, 201, `push manifest ${reference ?? digest} to ${target.repository}`);
  const stored = res.headers.get("docker-content-digest");
  if (stored !== digest) throw new Error(`the registry stored ${stored} for a manifest whose digest is ${digest}`);
  return { mediaType, digest, size: bytes.length, bytes };
}

export interface ArtifactSpec {
  /** The manifest's `artifactType`; omitted, the config's media type says what it is. */
  artifactType?: string;
  /** Default: the empty descriptor (`application/vnd.oci.empty.v1+json`, `{}`). */
  config?: { mediaType: string; bytes: Buffer };
  layers: Array<{ mediaType: string; bytes: Buffer; annotations?: Record<string, string> }>;
  subject?: PushedDescriptor;
  annotations?: Record<string, string>;
  /** Pushed under this tag; omitted, by digest only. */
  tag?: string;
}

/** An OCI image manifest for an artifact: its blobs first, then the manifest (pretty-printed, as some tools write them). */
export async function pushArtifact(target: PushTarget, spec: ArtifactSpec): Promise<PushedManifest> {
  const config = await pushBlob(target, spec.config?.mediaType ?? OCI.empty, spec.config?.bytes ?? Buffer.from("{}"));
  const layers = [];
  for (const l of spec.layers) layers.push({ ...(await pushBlob(target, l.mediaType, l.bytes)), ...(l.annotations && { annotations: l.annotations }) });
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI.manifest,
    ...(spec.artifactType && { artifactType: spec.artifactType }),
    config,
    layers,
    ...(spec.subject && { subject: { mediaType: spec.subject.mediaType, digest: spec.subject.digest, size: spec.subject.size } }),
    ...(spec.annotations && { annotations: spec.annotations }),
  };
  const pushed = await pushManifest(target, Buffer.from(JSON.stringify(manifest, null, 2)), OCI.manifest, spec.tag);
  return { ...pushed, artifactType: spec.artifactType ?? config.mediaType, ...(spec.annotations && { annotations: spec.annotations }) };
}

/**
 * The referrers index of a subject as a client writes it to a registry without the referrers API
 * (OCI distribution spec 1.1, "Referrers Tag Schema"): an image index of the referrers'
 * descriptors, with their artifactType and annotations, under the tag `<alg>-<hex>`.
 */
export async function pushReferrersTagIndex(target: PushTarget, subjectDigest: string, referrers: readonly PushedDescriptor[]): Promise<PushedManifest> {
  const index = {
    schemaVersion: 2,
    mediaType: OCI.index,
    manifests: referrers.map((r) => ({
      mediaType: r.mediaType,
      digest: r.digest,
      size: r.size,
      ...(r.artifactType && { artifactType: r.artifactType }),
      ...(r.annotations && { annotations: r.annotations }),
    })),
  };
  return pushManifest(target, Buffer.from(JSON.stringify(index)), OCI.index, subjectDigest.replace(":", "-"));
}
