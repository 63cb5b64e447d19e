import { InvalidReferenceError } from "@/lib/oci/errors";
import { ociAnswer, type OciAnswer } from "@/lib/oci/errcode";
import { readProxyPath, type ProxyRequestPath } from "@/lib/oci/proxy-path";
import type { PullAction } from "@/lib/internal/contract";
import type { Route } from "./request-context";

/**
 * Which of the proxy's routes a request is for, from its method and URL. The proxy path scheme
 * itself (`/v2/proxy/<app-slug>/<image>/…`) is lib/oci/proxy-path.ts's; this decides what the
 * server does with a request: the service routes, the registry's base, an image route, or an
 * error answer (which, for a malformed image path, is given only to a client with credentials).
 */
export type ProxyRoute =
  | { kind: "healthz" | "readyz" | "metrics" }
  /** Answered as it is, with or without credentials. */
  | { kind: "error"; error: OciAnswer }
  | { kind: "base" }
  /** A malformed image path: 401 without credentials, else this error. */
  | { kind: "bad-path"; route: Route; error: OciAnswer }
  | { kind: "image"; path: ProxyRequestPath; query: URLSearchParams };

const MAX_URL_LENGTH = 4096;
const SERVICE_ROUTES = { "/healthz": "healthz", "/readyz": "readyz", "/metrics": "metrics" } as const;

const pathOf = (rawUrl: string) => {
  const q = rawUrl.indexOf("?");
  return q >= 0 ? rawUrl.slice(0, q) : rawUrl;
};

/** The service route a path names, if any (`/metrics` only counts where it is served: the caller decides). */
export function serviceRoute(rawUrl: string): "healthz" | "readyz" | "metrics" | undefined {
  const path = pathOf(rawUrl);
  return Object.hasOwn(SERVICE_ROUTES, path) ? SERVICE_ROUTES[path as keyof typeof SERVICE_ROUTES] : undefined;
}

/**
 * Image paths already read (lib/oci/proxy-path.ts readProxyPath), by path. A pull asks for the
 * same paths over and over — every customer's manifest HEADs of a release, the same blobs — and
 * reading one (splits, joins, the grammar's regular expressions) was most of routing's work.
 * Paths are not secrets; at most `max` are kept, the oldest dropped first. What it returns is
 * shared by every request for the path, so it is frozen.
 */
export class PathMemo {
  private readonly paths = new Map<string, ProxyRequestPath>();

  constructor(
    private readonly dockerHubRegistry: string,
    private readonly max = 4096,
  ) {}

  /** readProxyPath's answer for `path` (its errors thrown as they are, and not kept). */
  read(path: string): ProxyRequestPath | null {
    const known = this.paths.get(path);
    if (known !== undefined) return known;
    const parsed = readProxyPath(path, { dockerHubRegistry: this.dockerHubRegistry });
    if (parsed === null) return null;
    Object.freeze(parsed.image);
    Object.freeze(parsed);
    if (this.paths.size >= this.max) this.paths.delete(this.paths.keys().next().value!);
    this.paths.set(path, parsed);
    return parsed;
  }

  get size(): number {
    return this.paths.size;
  }
}

/** The registry side of the proxy: everything but the service routes; `paths`: the server's memo of image paths read. */
export function registryRoute(rawUrl: string, method: string, opts: { dockerHubRegistry: string; paths?: PathMemo }): Exclude<ProxyRoute, { kind: "healthz" | "readyz" | "metrics" }> {
  const q = rawUrl.indexOf("?");
  const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
  if (rawUrl.length > MAX_URL_LENGTH) return { kind: "error", error: ociAnswer("NAME_INVALID", "The request path is too long.") };
  if (path !== "/v2" && !path.startsWith("/v2/")) {
    return { kind: "error", error: ociAnswer("UNSUPPORTED", "Not found: this is a registry proxy; images are under /v2/proxy/<app>/<image>.", { status: 404 }) };
  }
  if (method !== "GET" && method !== "HEAD") {
    return { kind: "error", error: ociAnswer("UNSUPPORTED", "The proxy serves pulls only (GET and HEAD).", { headers: { allow: "GET, HEAD" } }) };
  }
  if (path === "/v2" || path === "/v2/") return { kind: "base" };
  let parsed: ProxyRequestPath | null;
  try {
    parsed = opts.paths ? opts.paths.read(path) : readProxyPath(path, opts);
  } catch (e) {
    if (!(e instanceof InvalidReferenceError)) throw e;
    return { kind: "bad-path", route: routeOfPath(path), error: ociAnswer(e.ociCode, e.message, { status: e.ociCode === "UNSUPPORTED" ? 404 : 400 }) };
  }
  if (!parsed) return { kind: "error", error: ociAnswer("NAME_UNKNOWN", "Images are served under /v2/proxy/<app-slug>/<image>.") };
  return { kind: "image", path: parsed, query: new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : undefined) };
}

/** The pull-log action of an image route. */
export function actionOf(kind: ProxyRequestPath["kind"], method: string): PullAction {
  if (kind === "tags") return "list-tags";
  if (kind === "referrers") return "list-referrers";
  const head = method === "HEAD";
  return kind === "manifests" ? (head ? "head-manifest" : "pull-manifest") : head ? "head-blob" : "pull-blob";
}

/** The route label of a path that isn't a valid proxy path, by its endpoint. */
function routeOfPath(path: string): Route {
  if (/\/manifests\/[^/]*$/.test(path)) return "manifests";
  if (/\/blobs\/[^/]*$/.test(path)) return "blobs";
  if (/\/referrers\/[^/]*$/.test(path)) return "referrers";
  if (/\/tags\/list$/.test(path)) return "tags";
  return "other";
}
