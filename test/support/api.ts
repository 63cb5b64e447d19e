import fs from "node:fs";
import path from "node:path";
import type { Db } from "@/lib/db/client";

/**
 * Calls the portal's route handlers under app/api/v1 the way Next.js routes to them, without a
 * server: the URL is matched against the folder tree (`[id]` segments become params, `[...path]`
 * catches the rest, static segments win), the route module is imported, and its exported method
 * gets a real Request. A method the module doesn't export is a 405, as in Next.
 */
const ROOT = path.resolve(import.meta.dirname, "../../app/api/v1");

interface RouteFile {
  file: string;
  segments: string[];
}

function routeFiles(dir = ROOT, segments: string[] = []): RouteFile[] {
  const out: RouteFile[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...routeFiles(path.join(dir, entry.name), [...segments, entry.name]));
    else if (entry.name === "route.ts") out.push({ file: path.join(dir, entry.name), segments });
  }
  return out;
}

/** Every route file, as its URL pattern relative to /api/v1 ("/customers/[id]/licenses"). */
export const apiRouteFiles = () => routeFiles().map((r) => ({ file: r.file, pattern: "/" + r.segments.join("/") }));

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

const specificity = (segments: string[]) => segments.map((s) => (s.startsWith("[...") ? 0 : s.startsWith("[") ? 1 : 2));

function resolve(pathname: string) {
  const parts = pathname.replace(/^\/api\/v1\/?/, "").split("/").filter(Boolean);
  const candidates = routeFiles()
    .map((r) => ({ r, params: match(r.segments, parts) }))
    .filter((c) => c.params !== null)
    .sort((a, b) => {
      const sa = specificity(a.r.segments);
      const sb = specificity(b.r.segments);
      for (let i = 0; i < Math.max(sa.length, sb.length); i++) if ((sa[i] ?? -1) !== (sb[i] ?? -1)) return (sb[i] ?? -1) - (sa[i] ?? -1);
      return 0;
    });
  return candidates[0] ?? null;
}

export interface ApiCall {
  token?: string;
  body?: unknown;
  /** Sent as is, instead of JSON of `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** The database the route runs on (default: the process's). */
  db?: () => Promise<Db>;
}

type RouteFn = ((req: Request, ctx: { params: Promise<unknown> }) => Promise<Response>) & { with?: (deps: { db: () => Promise<Db> }) => RouteFn };

export async function apiRequest(method: string, url: string, opts: ApiCall = {}): Promise<Response> {
  const full = new URL(url, "http://portal.test");
  const found = resolve(full.pathname);
  if (!found) return new Response("not found", { status: 404 });
  const mod = (await import(found.r.file)) as Record<string, unknown>;
  const exported = mod[method] as RouteFn | undefined;
  if (typeof exported !== "function") return new Response(null, { status: 405 });
  const handler = opts.db && exported.with ? exported.with({ db: opts.db }) : exported;
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined = opts.rawBody;
  if (body === undefined && opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["content-type"] ??= "application/json";
  const req = new Request(full, { method, headers, body });
  return handler(req, { params: Promise.resolve(found.params) });
}
