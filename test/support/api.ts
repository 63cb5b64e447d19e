import type { Db } from "@/lib/db/client";
import { callRoute, routeFilesUnder } from "./portal-routes";

/**
 * Calls the portal's REST handlers under app/api/v1 in this process, routed as Next.js routes
 * them (test/support/portal-routes.ts), with a real Request.
 */

/** Every route file, as its URL pattern relative to /api/v1 ("/customers/[id]/licenses"). */
export const apiRouteFiles = () => routeFilesUnder("v1");

export interface ApiCall {
  token?: string;
  body?: unknown;
  /** Sent as is, instead of JSON of `body`. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** The database the route runs on (default: the process's). */
  db?: () => Promise<Db>;
}

export async function apiRequest(method: string, url: string, opts: ApiCall = {}): Promise<Response> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined = opts.rawBody;
  if (body === undefined && opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers["content-type"] ??= "application/json";
  const req = new Request(new URL(url, "http://portal.test"), { method, headers, body });
  return callRoute(req, opts.db ? { db: opts.db } : {});
}
