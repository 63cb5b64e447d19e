import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { RouteDeps } from "@/lib/http/route";

/**
 * The portal's route handlers under app/api, routed the way Next.js routes to them: the URL is
 * matched against the folder tree (`[id]` segments become params, `[...path]` catches the rest,
 * static segments win), the route module is imported, and its exported method gets a real
 * Request. A method the module doesn't export is a 405, as in Next. `callRoute` does it in this
 * process; `servePortalRoutes` puts the same routing behind a node:http server on 127.0.0.1, so
 * a proxy, a Distribution or skopeo talks HTTP to exactly the code the portal's server runs.
 * Configuration and database come in through the routes' `.with({ db, env })`.
 */
const API_ROOT = path.resolve(import.meta.dirname, "../../app/api");

interface RouteFile {
  file: string;
  segments: string[];
}

function routeFiles(dir = API_ROOT, segments: string[] = []): RouteFile[] {
  const out: RouteFile[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...routeFiles(path.join(dir, entry.name), [...segments, entry.name]));
    else if (entry.name === "route.ts") out.push({ file: path.join(dir, entry.name), segments });
  }
  return out;
}

/** Every route file under app/api/<base>, as its URL pattern relative to /api/<base> ("/customers/[id]/licenses"). */
export const routeFilesUnder = (base: string) =>
  routeFiles(path.join(API_ROOT, base)).map((r) => ({ file: r.file, pattern: "/" + r.segments.join("/") }));

function match(segments: string[], parts: string[]): Record<string, string | string[]> | null {
  const params: Record<string, string | string[]> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const catchAll = /^\[\.\.\.(\w+)\]$/.exec(s);
    if (catchAll) {
      if (i >= parts.length) return null;
      params[catchAll[1]!] = parts.slice(i);
      return params;
    }
    if (i >= parts.length) return null;
    const dynamic = /^\[(\w+)\]$/.exec(s);
    if (dynamic) params[dynamic[1]!] = decodeURIComponent(parts[i]!);
    else if (s !== parts[i]) return null;
  }
  return segments.length === parts.length ? params : null;
}

/** The route files, read once: the folder tree doesn't change while tests run. */
let allRoutes: RouteFile[] | undefined;

const specificity = (segments: string[]) => segments.map((s) => (s.startsWith("[...") ? 0 : s.startsWith("[") ? 1 : 2));

/** The route file serving `pathname` (/api/…), with its params; null when none does. */
export function resolveRoute(pathname: string): { file: string; params: Record<string, string | string[]> } | null {
  if (!/^\/api(\/|$)/.test(pathname)) return null;
  const parts = pathname.replace(/^\/api\/?/, "").split("/").filter(Boolean);
  allRoutes ??= routeFiles();
  const candidates = allRoutes
    .map((r) => ({ r, params: match(r.segments, parts) }))
    .filter((c) => c.params !== null)
    .sort((a, b) => {
      const sa = specificity(a.r.segments);
      const sb = specificity(b.r.segments);
      for (let i = 0; i < Math.max(sa.length, sb.length); i++) if ((sa[i] ?? -1) !== (sb[i] ?? -1)) return (sb[i] ?? -1) - (sa[i] ?? -1);
      return 0;
    });
  const best = candidates[0];
  return best ? { file: best.r.file, params: best.params! } : null;
}

type RouteFn = ((req: Request, ctx: { params: Promise<unknown> }) => Promise<Response> | Response) & {
  with?: (deps: Partial<RouteDeps>) => RouteFn;
};

/** Answers `req` with the route handler its URL and method resolve to (404 / 405 as Next would), on `deps` where given. */
export async function callRoute(req: Request, deps: Partial<RouteDeps> = {}): Promise<Response> {
  const found = resolveRoute(new URL(req.url).pathname);
  if (!found) return new Response("not found", { status: 404 });
  const mod = (await import(found.file)) as Record<string, unknown>;
  const exported = mod[req.method] as RouteFn | undefined;
  if (typeof exported !== "function") return new Response(null, { status: 405 });
  const handler = Object.keys(deps).length > 0 && exported.with ? exported.with(deps) : exported;
  return handler(req, { params: Promise.resolve(found.params) });
}

export interface RouteCall {
  /** "POST /api/internal/proxy/lookup" */
  key: string;
  /** The answer's status; 0 while the handler runs. */
  status: number;
}

export interface PortalRoutes {
  url: string;
  port: number;
  /** Every request in arrival order, with its status once answered. */
  calls: RouteCall[];
  /** Requests that arrived for a route key ("POST /api/internal/proxy/lookup"). */
  count(key: string): number;
  /** Stops listening (a portal outage); `start()` resumes on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Only paths under this prefix are routed ("/api/internal/proxy"); others answer 404. */
  prefix?: string;
  /** The routes' database and configuration (default: the process's). */
  deps?: Partial<RouteDeps>;
}

/** 404 in the format of the API family the path belongs to: OCI errors for the registry's, JSON otherwise. */
function notFound(pathname: string): { type: string; body: string } {
  const body = pathname.startsWith("/api/registry/")
    ? { errors: [{ code: "NOT_FOUND", message: "not found" }] }
    : { error: { code: "not_found", message: "Not found" } };
  return { type: "application/json", body: JSON.stringify(body) };
}

/** The portal's route handlers over real HTTP on 127.0.0.1, recording every call. */
export async function servePortalRoutes(opts: ServeOptions = {}): Promise<PortalRoutes> {
  const calls: RouteCall[] = [];
  const server = http.createServer(async (req, res) => {
    const pathname = (req.url ?? "/").split("?")[0]!;
    const call: RouteCall = { key: `${req.method} ${pathname}`, status: 0 };
    calls.push(call);
    const routed = (!opts.prefix || pathname === opts.prefix || pathname.startsWith(opts.prefix + "/")) && resolveRoute(pathname) !== null;
    if (!routed) {
      call.status = 404;
      const nf = notFound(pathname);
      res.writeHead(404, { "content-type": nf.type });
      return void res.end(nf.body);
    }
    req.on("error", () => {}); // a client that goes away mid-body
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    // As in Next, the request's signal aborts when the client goes away (a long-lived stream ends).
    const gone = new AbortController();
    res.once("close", () => gone.abort());
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers,
      signal: gone.signal,
      // Streamed, as Next hands bodies to route handlers: a handler's own size limit is what stops a large one.
      ...(req.method !== "GET" && req.method !== "HEAD" && { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" }),
    } as RequestInit);
    try {
      const response = await callRoute(request, opts.deps);
      call.status = response.status;
      // A body the handler refused to read to its end: this connection can't carry another request.
      if (!req.complete) res.setHeader("connection", "close");
      res.writeHead(response.status, Object.fromEntries(response.headers));
      // Streamed, so that Server-Sent Events reach the client as they are written.
      if (response.body) await pipeline(Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>), res).catch(() => res.destroy());
      else res.end();
    } catch (e) {
      // A route handler must never throw: make it loud.
      call.status = 500;
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(e));
    }
  });
  let port = 0;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await start();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    calls,
    count: (key) => calls.filter((c) => c.key === key).length,
    start,
    stop,
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
