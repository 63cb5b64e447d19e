import type { IncomingHttpHeaders } from "node:http";
import type { Readable } from "node:stream";
import { defaultAuthCache, refreshAt, type AuthCache } from "./auth-cache";
import { parseWwwAuthenticate, pickChallenge, type Challenge } from "./challenge";
import { basicHeader, type BasicCredentials, type RegistryCredentials } from "./credentials";
import { getEcrAuthorization } from "./ecr";
import { isInsecureAllowed, type RegistryEndpoint } from "./endpoint";
import { UpstreamError } from "./errors";
import { DEFAULT_MANIFEST_ACCEPT, MEDIA_TYPES, parseOciErrors, type OciErrorEntry } from "./manifest";
import { assertManifestReference, assertRepository, parseDigest } from "./names";
import { sendFollowingRedirects } from "./redirect";
import { assertRealmMayReceiveCredentials } from "./realm";
import { fetchBearerToken, realmOf } from "./token";
import { discard, readLimited, type NetworkPolicy, type TransportResponse } from "./transport";

/**
 * A pull-side client for one upstream registry, shared by the connection test and the proxy.
 *
 * Auth follows what the registry asks for: the first request goes out bare (or with what worked
 * last time), a 401 carries a challenge, and we answer it — Basic with the credentials, or a
 * Bearer token from the realm for `repository:<repo>:pull` — and retry once. The challenge and
 * tokens are cached (AuthCache) so the steady state is one upstream request per call.
 *
 * Responses are returned whatever their status (the proxy forwards 404s, the test explains
 * them); only failures without an HTTP answer throw UpstreamError. Bodies are live streams.
 * Nothing here logs, and no error message contains a credential.
 */

export interface RegistryClientOptions {
  endpoint: RegistryEndpoint;
  credentials?: RegistryCredentials;
  policy?: NetworkPolicy & { insecureRegistries?: readonly string[] };
  /** Until response headers (also for token and ECR calls). Default 30 s. */
  timeoutMs?: number;
  /** Socket inactivity while a body streams. Default 60 s. */
  idleTimeoutMs?: number;
  cache?: AuthCache;
  userAgent?: string;
  /** Token-service hosts besides the registry's own (and known splits) that may receive its credentials. */
  allowedRealmHosts?: readonly string[];
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Consume or destroy it. Empty for HEAD. */
  body: Readable;
  digest?: string;
  contentType?: string;
  contentLength?: number;
}

export interface ProbeResult {
  /** Status of the unauthenticated GET /v2/. */
  status: number;
  challenge?: Challenge;
  errors: OciErrorEntry[];
  apiVersion?: string;
}

export interface AuthResult {
  /** Status of GET /v2/ with the credentials (401: rejected). */
  status: number;
  scheme: "none" | "basic" | "bearer";
  realm?: string;
  /** True when the registry wants credentials and none are configured. */
  missingCredentials?: boolean;
  errors: OciErrorEntry[];
}

export interface TagList {
  status: number;
  tags: string[];
  /** RFC 5988 Link header for the next page, as the registry sent it. */
  link?: string;
  errors: OciErrorEntry[];
}

const CHALLENGE_TTL_MS = 10 * 60_000;
const NO_AUTHORIZATION: Authorization = { fresh: false };
const MAX_ERROR_BODY = 64 * 1024;

interface Authorization {
  header?: string;
  /** Token cache key, so a token the registry rejects can be dropped. */
  tokenKey?: string;
  /** Obtained just now: a 401 with it is final, not a stale cache entry. */
  fresh: boolean;
}

export class RegistryClient {
  readonly endpoint: RegistryEndpoint;
  private readonly credentials: RegistryCredentials;
  private readonly policy: NetworkPolicy & { insecureRegistries?: readonly string[] };
  private readonly timeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly cache: AuthCache;
  private readonly userAgent: string;
  private readonly credKey: string;
  private readonly allowedRealmHosts: readonly string[];
  /** Where credentials may go: the endpoint's origin (redirect.ts drops them on any other hop). */
  private readonly origin: string;
  private readonly base: string;
  /** The Authorization of `basicAuthorization`, made on first use. */
  private staticBasic: Authorization | undefined;
  private readonly challengeKey: string;

  constructor(opts: RegistryClientOptions) {
    this.endpoint = opts.endpoint;
    this.credentials = opts.credentials ?? { kind: "anonymous" };
    this.policy = opts.policy ?? {};
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
    this.cache = opts.cache ?? defaultAuthCache;
    this.userAgent = opts.userAgent ?? "portcullis";
    this.credKey = this.cache.fingerprint(this.credentials);
    this.allowedRealmHosts = opts.allowedRealmHosts ?? [];
    this.origin = new URL(this.endpoint.baseUrl).origin;
    this.base = `${this.endpoint.baseUrl}/`;
    this.challengeKey = `challenge|${this.endpoint.baseUrl}`;
  }

  /** Unauthenticated GET /v2/: is it a registry, and which challenge does it send? */
  async probe(opts: RequestOptions = {}): Promise<ProbeResult> {
    const res = await this.exchange("/v2/", "GET", {}, opts.signal);
    const challenge = res.status === 401 ? pickChallenge(parseWwwAuthenticate(res.headers["www-authenticate"])) : undefined;
    if (challenge) this.rememberChallenge(challenge);
    const errors = await this.readErrors(res);
    const apiVersion = res.headers["docker-distribution-api-version"];
    return { status: res.status, challenge, errors, ...(typeof apiVersion === "string" && { apiVersion }) };
  }

  /**
   * Answers the registry's challenge with the credentials, bypassing cached tokens, and sends
   * GET /v2/ with the result. `scope` asks the realm for a repository token (e.g. the image the
   * user tests), which also proves access to it. Throws UpstreamError for realm/ECR failures.
   */
  async authenticate(opts: RequestOptions & { scope?: string } = {}): Promise<AuthResult> {
    const challenge = this.knownChallenge() ?? (await this.probe(opts)).challenge;
    if (!challenge) return { status: 200, scheme: "none", errors: [] };
    const scheme = challenge.scheme === "bearer" ? "bearer" : "basic";
    const realm = scheme === "bearer" ? realmOf(challenge).href : undefined;
    const auth = await this.authorization(challenge, opts.scope, true);
    if (!auth.header) return { status: 401, scheme, realm, missingCredentials: true, errors: [] };
    const res = await this.exchange("/v2/", "GET", { authorization: auth.header }, opts.signal);
    return { status: res.status, scheme, ...(realm && { realm }), errors: await this.readErrors(res) };
  }

  /** GET /v2/ as a client would: probe, then authenticate when challenged. */
  async ping(opts: RequestOptions = {}): Promise<AuthResult> {
    const probe = await this.probe(opts);
    if (probe.status !== 401 || !probe.challenge) return { status: probe.status, scheme: "none", errors: probe.errors };
    return this.authenticate(opts);
  }

  async getManifest(repository: string, reference: string, opts: RequestOptions & { method?: "GET" | "HEAD"; accept?: string } = {}): Promise<UpstreamResponse> {
    assertRepository(repository);
    assertManifestReference(reference);
    return this.request(repository, `/v2/${repository}/manifests/${reference}`, opts.method ?? "GET", { accept: opts.accept || DEFAULT_MANIFEST_ACCEPT }, opts.signal);
  }

  /** A blob as a stream. `range` is passed through as the Range header ("bytes=0-99"). */
  async getBlob(repository: string, digest: string, opts: RequestOptions & { method?: "GET" | "HEAD"; range?: string } = {}): Promise<UpstreamResponse> {
    assertRepository(repository);
    parseDigest(digest);
    const headers: Record<string, string> = opts.range ? { range: opts.range } : {};
    return this.request(repository, `/v2/${repository}/blobs/${digest}`, opts.method ?? "GET", headers, opts.signal);
  }

  /**
   * GET /v2/<repository>/referrers/<digest> (OCI distribution spec 1.1), `query` sent as it is
   * (`artifactType`, a registry's own paging parameters). A registry without the referrers API
   * answers 404: the caller then reads the referrers tag schema (lib/oci/referrers.ts).
   */
  async getReferrers(repository: string, digest: string, opts: RequestOptions & { query?: URLSearchParams } = {}): Promise<UpstreamResponse> {
    assertRepository(repository);
    parseDigest(digest);
    const q = opts.query?.size ? `?${opts.query}` : "";
    return this.request(repository, `/v2/${repository}/referrers/${digest}${q}`, "GET", { accept: MEDIA_TYPES.ociIndex }, opts.signal);
  }

  async listTags(repository: string, opts: RequestOptions & { n?: number; last?: string } = {}): Promise<TagList> {
    assertRepository(repository);
    const q = new URLSearchParams();
    if (opts.n !== undefined) q.set("n", String(opts.n));
    if (opts.last !== undefined) q.set("last", opts.last);
    const path = `/v2/${repository}/tags/list${q.size ? `?${q}` : ""}`;
    const res = await this.request(repository, path, "GET", { accept: "application/json" }, opts.signal);
    const link = typeof res.headers.link === "string" ? res.headers.link : undefined;
    if (res.status !== 200) return { status: res.status, tags: [], errors: await this.readErrors(res) };
    let doc: { tags?: unknown };
    try {
      doc = JSON.parse((await readLimited(res.body, 16 * 1024 * 1024)).toString("utf8"));
    } catch {
      throw new UpstreamError("protocol", this.endpoint.host, `${this.endpoint.host} answered the tag list with something that is not JSON.`);
    }
    const tags = Array.isArray(doc.tags) ? doc.tags.filter((t): t is string => typeof t === "string") : [];
    return { status: 200, tags, ...(link && { link }), errors: [] };
  }

  /**
   * The Basic credentials this client presents (to the registry or its token realm), obtaining
   * them first for ECR. Undefined for anonymous access.
   */
  async resolveCredentials(): Promise<BasicCredentials | undefined> {
    const c = this.credentials;
    if (c.kind !== "ecr") return this.fixedCredentials();
    const a = await getEcrAuthorization(c, { registryHost: this.endpoint.host, cache: this.cache, timeoutMs: this.timeoutMs });
    return { username: a.username, password: a.password };
  }

  /** The Basic credentials of every kind but ECR's (obtained for a while at a time): undefined for anonymous access. */
  private fixedCredentials(): BasicCredentials | undefined {
    const c = this.credentials;
    if (c.kind === "basic") return { username: c.username, password: c.password };
    if (c.kind === "gcr") return { username: "_json_key", password: c.jsonKey };
    return undefined;
  }

  // -------------------------------------------------------------------------------------------

  /** A repository-scoped request with the challenge → credentials → retry-once dance. */
  private async request(repository: string, path: string, method: "GET" | "HEAD", headers: Record<string, string>, signal?: AbortSignal): Promise<UpstreamResponse> {
    const scope = () => `repository:${repository}:pull`;
    const known = this.knownChallenge();
    const first = known === undefined ? NO_AUTHORIZATION : (this.basicAuthorization(known) ?? (await this.authorization(known, scope(), false)));
    let res = await this.exchange(path, method, headers, signal, first.header);

    if (res.status === 401 && !first.fresh) {
      // First contact, or what we cached went stale (token revoked early, challenge changed).
      const offered = pickChallenge(parseWwwAuthenticate(res.headers["www-authenticate"]));
      if (offered) {
        if (first.tokenKey) this.cache.delete(first.tokenKey);
        this.rememberChallenge(offered);
        let retry: Authorization;
        try {
          retry = await this.authorization(offered, scope(), !!first.header);
        } catch (e) {
          discard(res.body);
          throw e;
        }
        if (retry.header && retry.header !== first.header) {
          discard(res.body);
          res = await this.exchange(path, method, headers, signal, retry.header);
        }
      }
    }
    return wrap(res);
  }

  /**
   * The answer to a Basic challenge with credentials that never change (not ECR's), without a
   * wait: the header is made once per client. Undefined when the challenge or the credentials
   * need `authorization`.
   */
  private basicAuthorization(challenge: Challenge): Authorization | undefined {
    if (challenge.scheme !== "basic" || this.credentials.kind === "ecr") return undefined;
    if (this.staticBasic === undefined) {
      const creds = this.fixedCredentials();
      if (creds) this.assertCredentialTransport();
      this.staticBasic = creds ? { header: basicHeader(creds), fresh: false } : NO_AUTHORIZATION;
    }
    return this.staticBasic;
  }

  private async authorization(challenge: Challenge, scope: string | undefined, fresh: boolean): Promise<Authorization> {
    const creds = await this.resolveCredentials();
    if (challenge.scheme === "basic") {
      if (!creds) return { fresh: false };
      this.assertCredentialTransport();
      return { header: basicHeader(creds), fresh: false };
    }
    if (creds) this.assertCredentialTransport();
    const realm = realmOf(challenge);
    if (creds) assertRealmMayReceiveCredentials(realm, this.endpoint, this.allowedRealmHosts);
    const tokenKey = `token|${this.endpoint.baseUrl}|${realm.href}|${challenge.params.service ?? ""}|${scope ?? ""}|${this.credKey}`;
    if (fresh) this.cache.delete(tokenKey);
    const cached = this.cache.get<string>(tokenKey);
    if (cached) return { header: `Bearer ${cached}`, tokenKey, fresh: false };
    // The fetch is shared by every concurrent caller, so one caller's abort must not fail the
    // others: it is bounded by the timeout instead of a signal.
    const token = await this.cache.getOrCreate(tokenKey, async () => {
      const t = await fetchBearerToken({ challenge, scope, credentials: creds, policy: this.policy, timeoutMs: this.timeoutMs, userAgent: this.userAgent });
      return { value: t.token, expiresAt: refreshAt(t.obtainedAt, t.expiresAt) };
    });
    return { header: `Bearer ${token}`, tokenKey, fresh: true };
  }

  /** Basic credentials travel in clear text over http://; only to hosts the operator allows. */
  private assertCredentialTransport(): void {
    if (this.endpoint.scheme === "http" && !isInsecureAllowed(this.endpoint.host, this.policy)) {
      throw new UpstreamError("insecure", this.endpoint.host, `Refusing to send credentials to ${this.endpoint.host} over plain HTTP.`);
    }
  }

  private exchange(path: string, method: "GET" | "HEAD", headers: Record<string, string>, signal?: AbortSignal, authorization?: string): Promise<TransportResponse> {
    const url = new URL(path, this.base);
    const sent: Record<string, string> = { "user-agent": this.userAgent, ...headers };
    if (authorization) sent.authorization = authorization;
    return sendFollowingRedirects({ url, method, headers: sent, signal, timeoutMs: this.timeoutMs, idleTimeoutMs: this.idleTimeoutMs, policy: this.policy }, this.origin);
  }

  private knownChallenge(): Challenge | undefined {
    return this.cache.get<Challenge>(this.challengeKey);
  }

  private rememberChallenge(challenge: Challenge): void {
    this.cache.set(this.challengeKey, challenge, Date.now() + CHALLENGE_TTL_MS);
  }

  private async readErrors(res: { status: number; body: Readable }): Promise<OciErrorEntry[]> {
    if (res.status < 400) {
      discard(res.body);
      return [];
    }
    return parseOciErrors(await readLimited(res.body, MAX_ERROR_BODY).catch(() => undefined));
  }
}

function wrap(res: TransportResponse): UpstreamResponse {
  const h = res.headers;
  const length = h["content-length"] !== undefined ? Number(h["content-length"]) : undefined;
  // One shape for every answer: absent fields are undefined.
  const digest = h["docker-content-digest"];
  return {
    status: res.status,
    headers: h,
    body: res.body,
    digest: typeof digest === "string" ? digest : undefined,
    contentType: h["content-type"] || undefined,
    contentLength: length !== undefined && Number.isFinite(length) ? length : undefined,
  };
}
