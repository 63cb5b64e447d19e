import net from "node:net";
import { classifyAddress, hostnameOf } from "@/lib/oci/address";
import { parseWwwAuthenticate, pickChallenge } from "@/lib/oci/challenge";
import { dockerHubHost } from "@/lib/oci/reference";
import { UpstreamError } from "@/lib/oci/errors";
import { DEFAULT_MANIFEST_ACCEPT } from "@/lib/oci/manifest";
import { sendFollowingRedirects } from "@/lib/oci/redirect";
import { fetchBearerToken, realmOf } from "@/lib/oci/token";
import { discard, type NetworkPolicy } from "@/lib/oci/transport";
import type { ImageReference } from "@/lib/oci/reference";

/**
 * Is an image private? We ask as an anonymous client would: HEAD its manifest (HEAD so Docker Hub
 * doesn't count it against the pull rate limit), and when the registry answers with a Bearer
 * challenge, fetch an anonymous token from its realm and ask again. A pull allowed → public;
 * refused (401/403), unknown to anonymous clients (404, how GHCR and others hide private
 * repositories), or unreachable → private, because rewriting a public image costs nothing while
 * missing a private one breaks the install. Every request and answer is recorded for --explain.
 *
 * Like Docker, registries on loopback addresses and those named as insecure are reached over
 * plain HTTP; everything else over HTTPS.
 */

export type Visibility = "public" | "private";

export interface ExchangeStep {
  /** `HEAD https://…` or `GET https://…/token?…`. */
  request: string;
  /** Request headers worth showing (never a credential: tokens are elided). */
  sent?: string[];
  status?: number;
  /** Response headers worth showing. */
  received?: string[];
  /** A failure without an HTTP answer. */
  error?: string;
}

export interface ProbeResult {
  visibility: Visibility;
  reason: string;
  exchange: ExchangeStep[];
}

export interface ProbeOptions {
  /** DOCKER_HUB_REGISTRY (a host, or a URL when tests point it at a plain-HTTP registry). */
  dockerHubRegistry: string;
  /** Hosts (host[:port] or hostname) reached over plain HTTP, like Docker's insecure-registries. */
  insecureRegistries?: readonly string[];
  timeoutMs?: number;
  userAgent?: string;
}

/** Docker's default: loopback registries need no TLS. */
export function isLoopbackHost(host: string): boolean {
  const hostname = hostnameOf(host.toLowerCase());
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return true;
  return net.isIP(hostname) !== 0 && classifyAddress(hostname) === "loopback";
}

/** The base URL an anonymous client uses for a registry host. */
export function registryBaseUrl(host: string, opts: Pick<ProbeOptions, "dockerHubRegistry" | "insecureRegistries">): string {
  const h = host.toLowerCase();
  const hub = opts.dockerHubRegistry.trim();
  if (h === dockerHubHost(hub) && /^https?:\/\//i.test(hub)) return new URL(hub).origin;
  const insecure = isLoopbackHost(h) || (opts.insecureRegistries ?? []).some((e) => {
    const entry = e.trim().toLowerCase().replace(/^[a-z]+:\/\//, "").replace(/\/.*$/, "");
    return entry === h || entry === hostnameOf(h);
  });
  return `${insecure ? "http" : "https"}://${h}`;
}

const SHOWN_HEADERS = ["www-authenticate", "content-type", "docker-content-digest", "docker-distribution-api-version", "location", "retry-after"];

function shownHeaders(headers: Record<string, string | string[] | undefined>): string[] {
  const out: string[] = [];
  for (const name of SHOWN_HEADERS) {
    const v = headers[name];
    if (v !== undefined) out.push(`${name}: ${Array.isArray(v) ? v.join(", ") : v}`);
  }
  return out;
}

/** The probe: see the comment at the top. Never throws for network or HTTP failures. */
export async function probeImage(ref: ImageReference, opts: ProbeOptions): Promise<ProbeResult> {
  const host = ref.registry;
  const base = registryBaseUrl(host, opts);
  const reference = ref.digest ?? ref.tag ?? "latest";
  const url = new URL(`/v2/${ref.repository}/manifests/${reference}`, base);
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const userAgent = opts.userAgent ?? "portcullis-installer";
  // The installer's own machine: registries on private networks are the user's business.
  const policy: NetworkPolicy & { insecureRegistries?: readonly string[] } = { allowPrivate: true, insecureRegistries: opts.insecureRegistries };
  const exchange: ExchangeStep[] = [];

  const head = async (authorization?: string) => {
    const headers: Record<string, string> = { accept: DEFAULT_MANIFEST_ACCEPT, "user-agent": userAgent };
    if (authorization) headers.authorization = authorization;
    const step: ExchangeStep = { request: `HEAD ${url.href}`, sent: [`accept: ${DEFAULT_MANIFEST_ACCEPT}`, ...(authorization ? ["authorization: Bearer <anonymous token>"] : [])] };
    exchange.push(step);
    try {
      const res = await sendFollowingRedirects({ url, method: "HEAD", headers, timeoutMs, idleTimeoutMs: timeoutMs, policy }, url.origin);
      discard(res.body);
      step.status = res.status;
      step.received = shownHeaders(res.headers);
      return res;
    } catch (e) {
      step.error = e instanceof Error ? e.message : String(e);
      return undefined;
    }
  };

  const unreachable = (why: string): ProbeResult => ({ visibility: "private", reason: `unreachable: treated as private (${why})`, exchange });
  const verdict = (status: number, how: string): ProbeResult => {
    if (status >= 200 && status < 300) return { visibility: "public", reason: `public: anonymous pull allowed${how}`, exchange };
    if (status === 401 || status === 403) return { visibility: "private", reason: `${status} from ${host}${how}`, exchange };
    if (status === 404) return { visibility: "private", reason: `404 from ${host}: not visible anonymously, treated as private`, exchange };
    if (status === 429) return { visibility: "private", reason: `429 from ${host} (rate limited): treated as private`, exchange };
    return { visibility: "private", reason: `HTTP ${status} from ${host}: treated as private`, exchange };
  };

  const first = await head();
  if (!first) return unreachable(exchange[exchange.length - 1]!.error!);
  if (first.status !== 401) return verdict(first.status, "");

  const challenge = pickChallenge(parseWwwAuthenticate(first.headers["www-authenticate"]));
  if (!challenge || challenge.scheme !== "bearer") return verdict(401, challenge ? " (Basic auth required)" : "");

  // The Docker token dance, anonymously: no credentials, just the scope.
  const scope = `repository:${ref.repository}:pull`;
  let tokenUrl: string;
  try {
    const realm = realmOf(challenge);
    if (challenge.params.service) realm.searchParams.set("service", challenge.params.service);
    realm.searchParams.append("scope", scope);
    tokenUrl = realm.href;
  } catch (e) {
    return { visibility: "private", reason: `401 from ${host}; its token realm is unusable, treated as private`, exchange: [...exchange, { request: "GET <realm>", error: (e as Error).message }] };
  }
  const tokenStep: ExchangeStep = { request: `GET ${tokenUrl}`, sent: ["(anonymous: no authorization)"] };
  exchange.push(tokenStep);
  let token: string;
  try {
    const t = await fetchBearerToken({ challenge, scope, policy, timeoutMs, userAgent });
    token = t.token;
    tokenStep.status = 200;
    tokenStep.received = [`token: <${t.token.length} characters>, expires in ${Math.round((t.expiresAt - t.obtainedAt) / 1000)} s`];
  } catch (e) {
    const err = e as UpstreamError;
    if (err instanceof UpstreamError && err.status !== undefined) {
      tokenStep.status = err.status;
      tokenStep.received = [err.message];
      const realmHost = new URL(tokenUrl).host;
      if (err.status === 401 || err.status === 403) return { visibility: "private", reason: `${err.status} from ${realmHost} (no anonymous token for ${ref.repository})`, exchange };
      return { visibility: "private", reason: `HTTP ${err.status} from the token service ${realmHost}: treated as private`, exchange };
    }
    tokenStep.error = (e as Error).message;
    return unreachable(`token service: ${(e as Error).message}`);
  }

  const second = await head(`Bearer ${token}`);
  if (!second) return unreachable(exchange[exchange.length - 1]!.error!);
  return verdict(second.status, second.status < 300 ? " (anonymous token)" : " with an anonymous token");
}
