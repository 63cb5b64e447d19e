import { z } from "zod";
import { allowPrivateHosts, env } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import { assertPublicAddress, type ResolvedAddress, type ResolveFn } from "./address";
import { AuthCache } from "./auth-cache";
import { parseWwwAuthenticate } from "./challenge";
import { checkConnection } from "./connect-check";
import { describeUser, type RegistryCredentials } from "./credentials";
import { getEcrAuthorization } from "./ecr";
import { detectProvider, normalizeEndpoint, type RegistryEndpoint } from "./endpoint";
import { StepFailed, stepRunner } from "./diagnostic-steps";
import { InvalidReferenceError, UpstreamError } from "./errors";
import { formatPlatform, isHelmChart, MAX_MANIFEST_BYTES, parseOciErrors, platformOfConfig, sha256Digest, summarizeManifest, type ManifestSummary } from "./manifest";
import { clip } from "./names";
import { DOCKER_HUB_ALIASES, looksLikeHost, parseImageReference } from "./reference";
import { RegistryClient, type UpstreamResponse } from "./registry-client";
import { readLimited } from "./transport";
import { formatBytes } from "./size";

/**
 * The registry connection test: runs the real pull-side flow step by step and says in
 * plain words which step failed and why. Steps stop at the first failure — later ones would only
 * repeat it. A fresh AuthCache per run, so the test proves the credentials now, not a token
 * cached an hour ago.
 */

/** One step of a connection test, as run, stored (Registry.lastTestSteps), shown and returned by the REST API. */
export const diagnosticStepSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  /** HTTP status when the step's outcome was one. */
  status: z.int().optional(),
  detail: z.string(),
  durationMs: z.number().optional(),
});
export type DiagnosticStep = z.infer<typeof diagnosticStepSchema>;

export interface ConnectionTestResult {
  ok: boolean;
  steps: DiagnosticStep[];
  /** When an image was tested and found. */
  manifest?: ManifestSummary & { repository: string; reference: string };
}

export interface ConnectionTestInput {
  endpoint: string | RegistryEndpoint;
  credentials?: RegistryCredentials;
  /** `repo[:tag]`, `repo@digest`, or with this registry's host in front. Tag defaults to latest. */
  image?: string;
  /** Defaults: DOCKER_HUB_REGISTRY and ALLOW_PRIVATE_HOSTS from the environment. */
  dockerHubRegistry?: string;
  allowPrivate?: boolean;
  insecureRegistries?: readonly string[];
  /** Token-service hosts the vendor allowed for this registry (lib/oci/realm.ts). */
  allowedRealmHosts?: readonly string[];
  /** Per step. Default 10 s. */
  timeoutMs?: number;
  resolve?: ResolveFn;
  ca?: string | readonly string[];
  signal?: AbortSignal;
}

export async function testRegistryConnection(input: ConnectionTestInput): Promise<ConnectionTestResult> {
  const timeoutMs = input.timeoutMs ?? 10_000;
  const dockerHubRegistry = input.dockerHubRegistry ?? env().DOCKER_HUB_REGISTRY;
  const allowPrivate = input.allowPrivate ?? allowPrivateHosts();
  const steps: DiagnosticStep[] = [];
  const result: ConnectionTestResult = { ok: false, steps };

  /** Runs one step; a thrown UpstreamError/AppError becomes its failure detail. */
  const step = stepRunner(steps, explain);

  try {
    const endpoint =
      typeof input.endpoint === "string"
        ? await step("Endpoint", async () => {
            const ep = normalizeEndpoint(input.endpoint as string, { dockerHubRegistry, allowPrivate, insecureRegistries: input.insecureRegistries });
            return { value: ep, detail: `${ep.baseUrl}` };
          })
        : input.endpoint;
    // A malformed image is reported before any network traffic, as its own (failed) step.
    let repository: { repository: string; reference: string } | undefined;
    if (input.image) {
      try {
        repository = imageOf(input.image, endpoint, dockerHubRegistry);
      } catch (e) {
        steps.push({ name: "Image reference", ok: false, detail: explain(e) });
        throw new StepFailed();
      }
    }
    const policy = { allowPrivate, insecureRegistries: input.insecureRegistries, resolve: input.resolve, ca: input.ca };

    const addresses = await step("Resolve host", async () => {
      const list = await withTimeout(assertPublicAddress(endpoint.hostname, policy), timeoutMs, endpoint.hostname, "DNS lookup");
      const shown = list.slice(0, 3).map((a) => a.address).join(", ") + (list.length > 3 ? ", …" : "");
      return { value: list, detail: list[0]!.address === endpoint.hostname ? `${endpoint.hostname} is an IP address (no DNS lookup).` : `${endpoint.hostname} → ${shown}` };
    });

    await step(endpoint.scheme === "https" ? "Connect (TLS)" : "Connect", async () => ({
      value: undefined,
      detail: await checkConnection(endpoint, addresses[0] as ResolvedAddress, { timeoutMs, ca: input.ca, signal: input.signal }),
    }));

    const cache = new AuthCache();
    const client = new RegistryClient({ endpoint, credentials: input.credentials, policy, timeoutMs, idleTimeoutMs: timeoutMs, cache, allowedRealmHosts: input.allowedRealmHosts });
    const probe = await step("GET /v2/", async () => {
      const p = await client.probe({ signal: input.signal });
      return { value: p, status: p.status, ...describeProbe(p.status, p.challenge?.scheme, p.challenge?.params.realm, p.challenge !== undefined) };
    });

    const creds = input.credentials;
    if (creds?.kind === "ecr") {
      await step("Authenticate (ECR GetAuthorizationToken)", async () => {
        const a = await getEcrAuthorization(creds, { registryHost: endpoint.host, cache, timeoutMs });
        return { value: undefined, detail: `AWS issued a registry password for access key ${creds.accessKeyId}, valid until ${a.expiresAt.toISOString()}.` };
      });
    }

    if (probe.challenge) {
      // Where the credentials go: the token service's host for Bearer, the registry itself for Basic.
      const realmHost = probe.challenge.scheme === "bearer" ? realmHostOf(probe.challenge.params.realm) : undefined;
      const scheme = realmHost ? `Bearer token from ${realmHost}` : "Basic";
      const scope = repository ? `repository:${repository.repository}:pull` : undefined;
      await step(`Authenticate (${scheme})`, async () => {
        const a = await client.authenticate({ scope, signal: input.signal });
        const user = describeUser(input.credentials);
        if (a.missingCredentials) return { value: a, ok: false, status: 401, detail: "The registry requires credentials, but none are set for it." };
        if (a.status === 200) {
          const who = user ? `Credentials accepted for ${user}` : "Anonymous access accepted";
          return {
            value: a,
            status: 200,
            detail:
              a.scheme === "bearer"
                ? `${who}: the token service at ${realmHost} issued a token${scope ? ` for ${scope}` : ""} and the registry accepted it.${user && realmHost !== endpoint.hostname ? ` The credentials were sent to ${realmHost}.` : ""}`
                : `${who}.`,
          };
        }
        return { value: a, ok: false, status: a.status, detail: explainStatus(a.status, { user, what: "/v2/", errors: a.errors.map((e) => e.message ?? e.code) }) };
      });
    }

    if (repository) {
      const label = `${repository.repository}${repository.reference.startsWith("sha256:") ? "@" : ":"}${repository.reference}`;
      result.manifest = await step(`Manifest ${label}`, async () => {
        const res = await client.getManifest(repository.repository, repository.reference, { signal: input.signal });
        if (res.status !== 200) {
          const { errors, insufficientScope } = await failureInfo(res);
          return {
            value: undefined,
            ok: false,
            status: res.status,
            detail: explainStatus(res.status, { user: describeUser(input.credentials), what: label, repository: repository.repository, errors, insufficientScope, retryAfter: res.headers["retry-after"] }),
          };
        }
        const body = await readLimited(res.body, MAX_MANIFEST_BYTES);
        const computed = sha256Digest(body);
        let summary: ManifestSummary;
        try {
          summary = summarizeManifest(body, res.contentType, res.digest ?? computed);
        } catch {
          return { value: undefined, ok: false, status: 200, detail: `The registry answered ${label} with something that is not a JSON manifest (Content-Type ${res.contentType ?? "none"}).` };
        }
        if (summary.kind === "image" && summary.configDigest) {
          const p = await configPlatform(client, repository.repository, summary.configDigest, input.signal);
          if (p) summary.platforms = [p];
        }
        const mismatch = res.digest && res.digest !== computed ? ` (the registry's Docker-Content-Digest ${res.digest} differs from the body's ${computed})` : "";
        return { value: { ...summary, repository: repository.repository, reference: repository.reference }, status: 200, detail: describeManifest(summary) + mismatch };
      });
    }
    result.ok = true;
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------

/** The repository and tag/digest to test, relative to this registry (its host in front is allowed). */
function imageOf(image: string, endpoint: RegistryEndpoint, dockerHubRegistry: string): { repository: string; reference: string } {
  const hub = detectProvider(endpoint.host, dockerHubRegistry) === "docker-hub";
  let rest = image.trim();
  const slash = rest.indexOf("/");
  const first = slash > 0 ? rest.slice(0, slash).toLowerCase() : "";
  if (first && looksLikeHost(first)) {
    if (first !== endpoint.host && !(hub && DOCKER_HUB_ALIASES.includes(first))) {
      throw new InvalidReferenceError("NAME_INVALID", `The image names the registry ${first}, but this test is for ${endpoint.host}. Give the repository on this registry, e.g. team/app:1.0.`);
    }
    rest = rest.slice(slash + 1);
  }
  // Parsed as a name on this host; only Docker Hub adds library/ to single names.
  const ref = parseImageReference(`${endpoint.host}/${rest}`, { dockerHubRegistry: hub ? endpoint.host : "docker.io" });
  return { repository: ref.repository, reference: ref.digest ?? ref.tag ?? "latest" };
}

/** The host of a challenge's realm URL, as shown to the user (the raw value when it is not a URL). */
function realmHostOf(realm: string | undefined): string {
  try {
    return new URL(realm ?? "").hostname;
  } catch {
    return realm ?? "(no realm)";
  }
}

function describeProbe(status: number, scheme: string | undefined, realm: string | undefined, challenged: boolean): { detail: string; ok?: boolean } {
  if (status === 200) return { detail: "Registry API v2 answers without authentication." };
  if (status === 401 && challenged) {
    return { detail: scheme === "bearer" ? `Registry API v2; it asks for a Bearer token from ${realm}.` : "Registry API v2; it asks for Basic authentication." };
  }
  if (status === 401) return { ok: false, detail: "The registry answered 401 without a challenge we can answer (no Basic or Bearer WWW-Authenticate header)." };
  if (status === 404) return { ok: false, detail: "No registry API at this endpoint: GET /v2/ answered 404. Check the endpoint (host and port of the registry itself, not its web UI)." };
  return { ok: false, detail: explainStatus(status, { what: "/v2/" }) };
}

interface StatusContext {
  user?: string;
  what: string;
  repository?: string;
  errors?: string[];
  insufficientScope?: boolean;
  retryAfter?: string | string[];
}

/** An HTTP status in words, for the step that got it. */
export function explainStatus(status: number, ctx: StatusContext): string {
  const said = ctx.errors?.length ? ` The registry says: "${clip(ctx.errors.join("; "), 200)}".` : "";
  switch (true) {
    case status === 401 && ctx.insufficientScope:
      return `No access to that repository: the credentials are valid but don't allow pulling ${ctx.repository ?? ctx.what} (401 insufficient_scope).${said}`;
    case status === 401:
      return ctx.repository
        ? `Credentials rejected for ${ctx.repository} (401): wrong credentials, or the repository does not exist or is not visible to ${ctx.user ?? "anonymous users"}.${said}`
        : `Credentials rejected (401): the registry did not accept the ${ctx.user ? `password for ${ctx.user}` : "request without credentials"}.${said}`;
    case status === 403:
      return `No access to that repository (403): ${ctx.user ?? "this account"} may not pull ${ctx.repository ?? ctx.what}.${said}`;
    case status === 404: {
      const codes = ctx.errors?.join(" ") ?? "";
      if (/name unknown|repository name not known/i.test(codes) || /NAME_UNKNOWN/.test(codes))
        return `Image not found (404): the repository ${ctx.repository} does not exist on this registry.${said}`;
      return `Image or tag not found (404): ${ctx.what} does not exist on this registry.${said}`;
    }
    case status === 429: {
      const after = Array.isArray(ctx.retryAfter) ? ctx.retryAfter[0] : ctx.retryAfter;
      return `Rate limited (429): the registry is refusing requests for now${after ? `; retry after ${after} s` : ""}.${said}`;
    }
    case status >= 500:
      return `The registry failed (HTTP ${status}); it may be down or overloaded.${said}`;
    default:
      return `Unexpected answer: HTTP ${status} for ${ctx.what}.${said}`;
  }
}

async function failureInfo(res: UpstreamResponse): Promise<{ errors: string[]; insufficientScope: boolean }> {
  const body = res.headers["content-length"] === "0" ? undefined : await readLimited(res.body, 64 * 1024).catch(() => undefined);
  const errors = parseOciErrors(body).map((e) => (e.code ? `${e.code}: ${e.message ?? ""}`.trim() : (e.message ?? "")));
  const insufficientScope = parseWwwAuthenticate(res.headers["www-authenticate"]).some((c) => c.params.error === "insufficient_scope");
  return { errors, insufficientScope };
}

async function configPlatform(client: RegistryClient, repository: string, digest: string, signal?: AbortSignal) {
  try {
    const res = await client.getBlob(repository, digest, { signal });
    if (res.status !== 200 || (res.contentLength ?? 0) > 1024 * 1024) {
      res.body.destroy();
      return undefined;
    }
    return platformOfConfig(await readLimited(res.body, 1024 * 1024));
  } catch {
    return undefined; // the platform is a nicety; the manifest was found
  }
}

const TYPE_NAMES: Record<string, string> = {
  "application/vnd.oci.image.index.v1+json": "OCI image index",
  "application/vnd.docker.distribution.manifest.list.v2+json": "Docker manifest list",
  "application/vnd.oci.image.manifest.v1+json": "OCI manifest",
  "application/vnd.docker.distribution.manifest.v2+json": "Docker v2 manifest",
};

function describeManifest(s: ManifestSummary): string {
  const type = TYPE_NAMES[s.mediaType] ?? s.mediaType;
  if (s.kind === "index") {
    const n = s.platforms.length;
    return `Multi-platform index (${type}) with ${n} platform${n === 1 ? "" : "s"}: ${s.platforms.map(formatPlatform).join(", ") || "none listed"}. Digest ${s.digest}.`;
  }
  if (isHelmChart(s)) return `Helm chart (${type}): ${s.layers} layer${s.layers === 1 ? "" : "s"}, ${formatBytes(s.layerBytes ?? 0)}. Digest ${s.digest}.`;
  const platform = s.platforms[0] ? ` for ${formatPlatform(s.platforms[0])}` : "";
  return `Single image (${type})${platform}: ${s.layers} layer${s.layers === 1 ? "" : "s"}, ${formatBytes(s.layerBytes ?? 0)}. Digest ${s.digest}.`;
}


function explain(e: unknown): string {
  if (e instanceof UpstreamError) {
    if (e.status === 429) return `Rate limited (429)${e.retryAfterSeconds !== undefined ? `; retry after ${e.retryAfterSeconds} s` : ""}: ${e.message}`;
    return e.message;
  }
  if (e instanceof AppError) return e.message; // invalid endpoint/image: already in words
  // A bug, not the registry: name the error type only (its message could quote anything).
  return `Unexpected error while testing the connection (${e instanceof Error ? e.name : typeof e}).`;
}

function withTimeout<T>(p: Promise<T>, ms: number, host: string, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UpstreamError("timeout", host, `Timed out: the ${what} of ${host} took longer than ${ms / 1000} s.`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
