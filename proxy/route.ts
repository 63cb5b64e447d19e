import { InvalidReferenceError } from "@/lib/oci/errors";
import { ociAnswer, type OciAnswer } from "@/lib/oci/errcode";
import { readProxyPath, type ProxyRequestPath } from "@/lib/oci/proxy-path";
import type { PullAction } from "@/lib/internal/contract";
import type { Route } from "./request-context";

/**
 * Which of the proxy's routes a request is for, from its method and URL (ProxyRouter). The proxy
 * path scheme itself (`/v2/proxy/<app-slug>/<image>/…`) is lib/oci/proxy-path.ts's; this decides
 * what the server does with a request: the service routes, the registry's base, an image route,
 * or an error answer (which, for a malformed image path, is given only to a client with
 * credentials).
 */
export type ProxyRoute =
  | { kind: "healthz" }
  | { kind: "readyz" }
  | { kind: "metrics" }
  /** Answered as it is, with or without credentials. */
  | { kind: "error"; error: OciAnswer }
  | { kind: "base" }
  /** A malformed image path: 401 without credentials, else this error. */
  | { kind: "bad-path"; route: Route; error: OciAnswer }
  | { kind: "image"; path: ProxyRequestPath; query: URLSearchParams };

const MAX_URL_LENGTH = 4096;
const SERVICE_ROUTES = { "/healthz": "healthz", "/readyz": "readyz", "/metrics": "metrics" } as const;

/** A path that is neither a service route nor the registry's: 404, with or without credentials. */
const NOT_A_REGISTRY_PATH = () => ociAnswer("UNSUPPORTED", "Not found: this is a registry proxy; images are under /v2/proxy/<app>/<image>.", { status: 404 });

/**
 * The proxy's routes. Image paths already read (lib/oci/proxy-path.ts readProxyPath) are kept by
 * path: a pull asks for the same paths over and over — every customer's manifest HEADs of a
 * release, the same blobs — and reading one (splits, joins, the grammar's regular expressions)
 * was most of routing's work. Paths are not secrets; at most `maxPaths` are kept, the oldest
 * dropped first. A reading is shared by every request for its path, so it is frozen.
 */
export class ProxyRouter {
  private readonly paths = new Map<string, ProxyRequestPath>();

  constructor(
    private readonly dockerHubRegistry: string,
    private readonly maxPaths = 4096,
  ) {}

  /** Which route `rawUrl` is for. `/metrics` is a service route only where the caller serves it: else `notFound()`. */
  route(rawUrl: string, method: string): ProxyRoute {
    const q = rawUrl.indexOf("?");
    const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
    if (Object.hasOwn(SERVICE_ROUTES, path)) return { kind: SERVICE_ROUTES[path as keyof typeof SERVICE_ROUTES] };
    if (rawUrl.length > MAX_URL_LENGTH) return { kind: "error", error: ociAnswer("NAME_INVALID", "The request path is too long.") };
    if (path !== "/v2" && !path.startsWith("/v2/")) return { kind: "error", error: NOT_A_REGISTRY_PATH() };
    if (method !== "GET" && method !== "HEAD") {
      return { kind: "error", error: ociAnswer("UNSUPPORTED", "The proxy serves pulls only (GET and HEAD).", { headers: { allow: "GET, HEAD" } }) };
    }
    if (path === "/v2" || path === "/v2/") return { kind: "base" };
    let parsed: ProxyRequestPath | null;
    try {
      parsed = this.read(path);
    } catch (e) {
      if (!(e instanceof InvalidReferenceError)) throw e;
      return { kind: "bad-path", route: routeOfPath(path), error: ociAnswer(e.ociCode, e.message, { status: e.ociCode === "UNSUPPORTED" ? 404 : 400 }) };
    }
    if (!parsed) return { kind: "error", error: ociAnswer("NAME_UNKNOWN", "Images are served under /v2/proxy/<app-slug>/<image>.") };
    return { kind: "image", path: parsed, query: new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : undefined) };
  }

  /** The answer to a path no route serves (`/metrics` where metrics have a listener of their own). */
  notFound(): OciAnswer {
    return NOT_A_REGISTRY_PATH();
  }

  /** How many image paths are kept. */
  get pathsKept(): number {
    return this.paths.size;
  }

  /** readProxyPath's answer for `path` (its errors thrown as they are, and not kept). */
  private read(path: string): ProxyRequestPath | null {
    const known = this.paths.get(path);
    if (known !== undefined) return known;
    const parsed = readProxyPath(path, { dockerHubRegistry: this.dockerHubRegistry });
    if (parsed === null) return null;
    Object.freeze(parsed.image);
    Object.freeze(parsed);
    if (this.paths.size >= this.maxPaths) this.paths.delete(this.paths.keys().next().value!);
    this.paths.set(path, parsed);
    return parsed;
  }
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
