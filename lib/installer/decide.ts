import { formatProxyReference, hostFitsInPath, throughRegistryName } from "@/lib/oci/proxy-path";
import { DOCKER_HUB_ALIASES, parseImageReference, writtenRegistryHost, type ImageReference } from "@/lib/oci/reference";
import { AppError } from "@/lib/errors";
import { InstallerError } from "./errors";
import { probeImage, type ExchangeStep, type ProbeOptions, type ProbeResult } from "./probe";
import type { ImageUse } from "./workloads";

/**
 * One decision per image as written: rewrite it to the proxy (private), leave it (public, or
 * already on the Portcullis registry or proxy), or, air-gapped, rewrite everything to the local
 * registry. Visibility is a property of the repository, so when one tag of a repository is
 * refused every tag of it is rewritten.
 */

type Decision = "private" | "public" | "registry" | "proxy" | "airgap";

export interface ImageDecision {
  /** The image exactly as written (with its tag or digest). */
  image: string;
  /** Without tag and digest: what Kustomize's `images[].name` matches. */
  name: string;
  ref: ImageReference;
  /** Docker Hub image written without a host (or with docker.io): gets the other Hub spellings too. */
  dockerHub: boolean;
  uses: ImageUse[];
  decision: Decision;
  reason: string;
  exchange: ExchangeStep[];
  /** Rewritten images: the new name, without tag or digest. */
  newName?: string;
}

export interface DecideOptions {
  appSlug: string;
  proxyHost: string;
  registryHost: string;
  dockerHubRegistry: string;
  insecureRegistries?: readonly string[];
  /** host[:port] → the portal's name of that registry (`--registry-name`). */
  registryNames?: Record<string, string>;
  airgap?: { localRegistry: string };
  probe?: (ref: ImageReference, opts: ProbeOptions) => Promise<ProbeResult>;
  concurrency?: number;
  timeoutMs?: number;
}

/** `nginx:1.25` → `nginx`; `host:5000/a/b@sha256:…` → `host:5000/a/b`. */
export function nameOf(image: string): string {
  const noDigest = image.split("@")[0]!;
  const colon = noDigest.lastIndexOf(":");
  return colon > noDigest.lastIndexOf("/") ? noDigest.slice(0, colon) : noDigest;
}

/** The suffix after the name, kept as written: `:1.25`, `@sha256:…`, `:1.25@sha256:…` or "". */
export const suffixOf = (image: string) => image.slice(nameOf(image).length);

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function proxyName(d: Pick<ImageDecision, "name" | "ref" | "uses">, opts: DecideOptions): string {
  const host = writtenRegistryHost(d.name);
  const proxied = (image: string) => formatProxyReference({ proxyHost: opts.proxyHost, appSlug: opts.appSlug, image });
  const named = host ? opts.registryNames?.[host] : undefined;
  if (named) return proxied(throughRegistryName(named, { repository: d.ref.repository }));
  if (host && !hostFitsInPath(host)) {
    const use = d.uses[0]!;
    throw new InstallerError(
      `image ${d.name} is private, but a proxy path can't hold a host with a port (${host}): name that registry in the portal and pass --registry-name ${host}=NAME`,
      use.file,
      use.line,
    );
  }
  return proxied(d.name);
}

/** Parses, groups and decides. Throws InstallerError (file:line) for images it can't handle. */
export async function decideImages(uses: readonly ImageUse[], opts: DecideOptions): Promise<ImageDecision[]> {
  const byImage = new Map<string, ImageDecision>();
  for (const use of uses) {
    let d = byImage.get(use.image);
    if (!d) {
      let ref: ImageReference;
      try {
        ref = parseImageReference(use.image, { dockerHubRegistry: opts.dockerHubRegistry });
      } catch (e) {
        throw new InstallerError(`image "${use.image}": ${e instanceof AppError ? e.message : String(e)}`, use.file, use.line);
      }
      const name = nameOf(use.image);
      const host = writtenRegistryHost(name);
      d = { image: use.image, name, ref, dockerHub: !host || DOCKER_HUB_ALIASES.includes(host), uses: [], decision: "public", reason: "", exchange: [] };
      byImage.set(use.image, d);
    }
    d.uses.push(use);
  }
  const decisions = [...byImage.values()];

  if (opts.airgap) {
    const local = opts.airgap.localRegistry;
    const targets = new Map<string, string>();
    const pinned = decisions.filter((d) => d.ref.digest);
    if (pinned.length > 0) {
      const where = (d: ImageDecision) => `${d.image} (${d.uses[0]!.file}:${d.uses[0]!.line})`;
      throw new InstallerError(
        `--airgap can't use ${pinned.length === 1 ? "an image" : `${pinned.length} images`} pinned by digest: copying images into an air-gapped registry can re-compress layers and change their digests; pin ${pinned.length === 1 ? "it" : "them"} by tag: ${pinned.map(where).join(", ")}`,
      );
    }
    for (const d of decisions) {
      const newName = `${local}/${d.ref.repository}`;
      const canonical = `${d.ref.registry}/${d.ref.repository}`;
      const clash = targets.get(newName);
      if (clash && clash !== canonical) {
        throw new InstallerError(`--airgap: ${canonical} and ${clash} would both become ${newName}`, d.uses[0]!.file, d.uses[0]!.line);
      }
      targets.set(newName, canonical);
      Object.assign(d, { decision: "airgap", reason: `air-gapped: pulled from ${local}`, newName });
    }
    return decisions;
  }

  const toProbe: ImageDecision[] = [];
  for (const d of decisions) {
    if (d.ref.registry === opts.registryHost) {
      Object.assign(d, { decision: "registry", reason: "on the Portcullis registry: pulled with the license as it is" });
    } else if (d.ref.registry === opts.proxyHost) {
      Object.assign(d, { decision: "proxy", reason: "already pulled through the Portcullis proxy" });
    } else {
      toProbe.push(d);
    }
  }
  const probe = opts.probe ?? probeImage;
  const probeOpts: ProbeOptions = { dockerHubRegistry: opts.dockerHubRegistry, insecureRegistries: opts.insecureRegistries, timeoutMs: opts.timeoutMs };
  const results = await mapLimit(toProbe, opts.concurrency ?? 6, (d) => probe(d.ref, probeOpts));
  toProbe.forEach((d, i) => Object.assign(d, { decision: results[i]!.visibility, reason: results[i]!.reason, exchange: results[i]!.exchange }));

  // A repository is private when any of its tags is; and a written name is rewritten as a whole.
  const privateRepos = new Set(toProbe.filter((d) => d.decision === "private").map((d) => `${d.ref.registry}/${d.ref.repository}`));
  for (const d of toProbe) {
    if (d.decision === "public" && privateRepos.has(`${d.ref.registry}/${d.ref.repository}`)) {
      d.decision = "private";
      d.reason = `${d.reason}; but another tag of ${d.ref.repository} is private, so all of its tags are rewritten`;
    }
  }
  for (const d of toProbe) if (d.decision === "private") d.newName = proxyName(d, opts);
  return decisions;
}
