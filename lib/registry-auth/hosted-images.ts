import { env as processEnv, type Env } from "@/lib/config/env";
import { DEFAULT_MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, platformOfConfig, sha256Digest, summarizeManifest, type ManifestSummary } from "@/lib/oci/manifest";
import type { RegistryAccess } from "./jwt";
import { signPortalToken } from "./portal-token";
import type { RegistrySigningKey } from "./signing-key";

/**
 * The portal's own client of the hosted registry's API. An app's image list reads a tag's
 * manifest (`describe`: digest, platforms, size, parsed by lib/oci/manifest.ts as the connection
 * test parses it). When an app is deleted it lists the repositories under `<slug>/` with their
 * tags, and deletes every tagged manifest, so a deleted app's images can't be pulled again (nobody is ever granted its slug again either:
 * lib/registry-auth/grants.ts refuses a deleted app's slug).
 *
 * It signs its own short tokens with the registry signing key, for exactly what it does:
 * `registry:catalog:*` to list repositories, then per repository `pull` (tags, manifest digests)
 * and `delete`. Distribution matches a token's access by exact repository name, so there is one
 * token per repository rather than a wildcard.
 *
 * Distribution deletes a manifest by digest only and then untags every tag that pointed at it;
 * it must run with `storage.delete.enabled: true` (`portcullis registry config` writes it).
 * Manifests that no tag points at (an index's children, superseded pushes) stay on disk, out of
 * anyone's reach, until `docker-registry garbage-collect --delete-untagged` reclaims the space.
 */

export interface HostedRepository {
  name: string;
  tags: string[];
}

export interface PurgeReport {
  repositories: number;
  tags: number;
  manifests: number;
}

/** The hosted registry could not be listed or purged; `message` is safe to show. */
export class HostedRegistryError extends Error {
  override name = "HostedRegistryError";
}

export interface HostedImagesDeps {
  /** Base URL of the registry's API (`http(s)://host:port`). */
  url: string;
  signingKey?: () => Promise<RegistrySigningKey>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Where the portal reaches the hosted registry: REGISTRY_INTERNAL_URL, else REGISTRY_URL.
 * Undefined when neither is set: there is no hosted registry, so nothing to list or purge.
 */
export function hostedRegistryUrl(e: Env = processEnv()): string | undefined {
  const url = e.REGISTRY_INTERNAL_URL ?? e.REGISTRY_URL;
  return url?.replace(/\/+$/, "");
}

const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");
const PAGE = 1000;

export function hostedImages(deps: HostedImagesDeps) {
  const base = deps.url.replace(/\/+$/, "");
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? 15_000;

  async function token(access: RegistryAccess[]): Promise<string> {
    try {
      return (await signPortalToken({ subject: "portal:hosted-images", access, ttlSeconds: 120, signingKey: deps.signingKey })).token;
    } catch (e) {
      throw new HostedRegistryError(`The hosted registry's signing key is not available (${(e as Error).message}).`);
    }
  }

  async function call(method: string, pathAndQuery: string, bearer: string, headers: Record<string, string> = {}): Promise<Response> {
    try {
      return await doFetch(`${base}${pathAndQuery}`, { method, headers: { authorization: `Bearer ${bearer}`, ...headers }, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    } catch (e) {
      const why = (e as Error).name === "TimeoutError" ? `no answer within ${timeoutMs / 1000} s` : ((e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message);
      throw new HostedRegistryError(`The hosted registry at ${base} can't be reached (${why}).`);
    }
  }

  const refused = (what: string, res: Response) =>
    new HostedRegistryError(
      res.status === 401 || res.status === 403
        ? `The hosted registry at ${base} refused the portal's token while ${what} (HTTP ${res.status}): its config must trust this portal's signing key (rewrite it with \`portcullis registry config\`).`
        : `The hosted registry at ${base} answered HTTP ${res.status} while ${what}.`,
    );

  /** Follows Distribution's `Link: <…>; rel="next"` pagination. */
  async function paged<T>(first: string, bearer: string, what: string, read: (body: unknown) => T[], missingIsEmpty = false): Promise<T[]> {
    const out: T[] = [];
    let next: string | null = first;
    for (let pages = 0; next && pages < 10_000; pages++) {
      const res = await call("GET", next, bearer, { accept: "application/json" });
      if (res.status === 404 && missingIsEmpty) return out;
      if (!res.ok) throw refused(what, res);
      out.push(...read(await res.json().catch(() => ({}))));
      const link = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(res.headers.get("link") ?? "");
      next = link ? (link[1]!.startsWith("/") ? link[1]! : new URL(link[1]!).pathname + new URL(link[1]!).search) : null;
    }
    return out;
  }

  async function repositoriesOf(slug: string): Promise<string[]> {
    const bearer = await token([{ type: "registry", name: "catalog", actions: ["*"] }]);
    const all = await paged(`/v2/_catalog?n=${PAGE}`, bearer, "listing its repositories", (b) => ((b as { repositories?: unknown }).repositories as string[] | null) ?? []);
    return all.filter((name) => typeof name === "string" && name.startsWith(`${slug}/`)).sort();
  }

  async function tagsOf(repository: string, bearer: string): Promise<string[]> {
    return paged(`/v2/${repository}/tags/list?n=${PAGE}`, bearer, `listing the tags of ${repository}`, (b) => ((b as { tags?: unknown }).tags as string[] | null) ?? [], true);
  }

  return {
    /**
     * What a tag (or digest) of a repository is now: its manifest summarised (an image's
     * platform read from its config). Null when the registry has no such manifest.
     */
    async describe(repository: string, reference: string): Promise<ManifestSummary | null> {
      const bearer = await token([{ type: "repository", name: repository, actions: ["pull"] }]);
      const res = await call("GET", `/v2/${repository}/manifests/${encodeURIComponent(reference)}`, bearer, { accept: DEFAULT_MANIFEST_ACCEPT });
      if (res.status === 404) return null;
      if (!res.ok) throw refused(`reading ${repository}:${reference}`, res);
      const body = Buffer.from(await res.arrayBuffer());
      if (body.length > MAX_MANIFEST_BYTES) throw new HostedRegistryError(`The manifest of ${repository}:${reference} is larger than ${MAX_MANIFEST_BYTES} bytes.`);
      const summary = summarizeManifest(body, res.headers.get("content-type") ?? undefined, res.headers.get("docker-content-digest") ?? sha256Digest(body));
      if (summary.kind === "image" && summary.configDigest) {
        const config = await call("GET", `/v2/${repository}/blobs/${summary.configDigest}`, bearer);
        const platform = config.ok ? platformOfConfig(Buffer.from(await config.arrayBuffer())) : undefined;
        if (platform) summary.platforms = [platform];
      }
      return summary;
    },

    /** The repositories under `<slug>/` that still have tags, with their tags. */
    async list(slug: string): Promise<HostedRepository[]> {
      const out: HostedRepository[] = [];
      for (const name of await repositoriesOf(slug)) {
        const tags = await tagsOf(name, await token([{ type: "repository", name, actions: ["pull"] }]));
        if (tags.length > 0) out.push({ name, tags: tags.sort() });
      }
      return out;
    },

    /**
     * Deletes every tagged manifest under `<slug>/`. Safe to run again after a partial run: it
     * starts from what is still tagged. Throws HostedRegistryError on the first failure.
     */
    async purge(slug: string): Promise<PurgeReport> {
      const report: PurgeReport = { repositories: 0, tags: 0, manifests: 0 };
      for (const name of await repositoriesOf(slug)) {
        const bearer = await token([{ type: "repository", name, actions: ["pull", "delete"] }]);
        const tags = await tagsOf(name, bearer);
        if (tags.length === 0) continue;
        report.repositories++;
        const deleted = new Set<string>();
        for (const tag of tags) {
          const head = await call("HEAD", `/v2/${name}/manifests/${encodeURIComponent(tag)}`, bearer, { accept: MANIFEST_ACCEPT });
          if (head.status === 404) continue; // untagged meanwhile
          const digest = head.headers.get("docker-content-digest");
          if (!head.ok || !digest) throw refused(`resolving ${name}:${tag}`, head);
          report.tags++;
          if (deleted.has(digest)) continue;
          const del = await call("DELETE", `/v2/${name}/manifests/${digest}`, bearer);
          if (del.status === 405) {
            throw new HostedRegistryError(
              `The hosted registry at ${base} does not allow deletes: set storage.delete.enabled: true in its config (\`portcullis registry config\` writes it) and restart it.`,
            );
          }
          if (!del.ok && del.status !== 404) throw refused(`deleting ${name}@${digest}`, del);
          deleted.add(digest);
          report.manifests++;
        }
      }
      return report;
    },
  };
}

export type HostedImages = ReturnType<typeof hostedImages>;

/** The client for the configured hosted registry, or null when there is none (no REGISTRY_INTERNAL_URL or REGISTRY_URL). */
export function hostedImagesClient(e: Env = processEnv()): HostedImages | null {
  const url = hostedRegistryUrl(e);
  return url ? hostedImages({ url }) : null;
}
