import NextAuth from "next-auth";
import { authOptions } from "./options";
import { authRequestInfo } from "./request-info";
import { ssoFlowFor } from "@/lib/sso/next-auth";
import { ssoFlowCookie } from "@/lib/sso/flow-cookie";

/**
 * next-auth behind /api/auth/*, through its request/response handler form: the Request is handed
 * over as next-auth reads one, and what it writes is collected into a Response. This form (rather
 * than next-auth's App Router one, which reads the headers itself) lets the portal decide the
 * origin next-auth builds its URLs from — PORTAL_URL, else the request's host, as everywhere else
 * in the portal — and lets tests drive next-auth with plain Requests.
 */
export async function handleAuthRequest(req: Request, segments: string[]): Promise<Response> {
  const info = authRequestInfo(req.headers);
  // Single sign-on: the team's provider, from the flow cookie (lib/sso/next-auth.ts).
  const sso = await ssoFlowFor(req, segments, info);
  if (sso instanceof Response) return sso;
  const url = new URL(req.url);
  const body = await formBody(req);
  const headers = Object.fromEntries(req.headers);
  // next-auth takes its origin from NEXTAUTH_URL or, when told to trust them, these two headers:
  // they are set here from the portal's own idea of its address, never taken from the client.
  process.env.AUTH_TRUST_HOST ??= "true";
  headers["x-forwarded-host"] = new URL(info.origin).host;
  headers["x-forwarded-proto"] = info.https ? "https" : "http";
  const nodeReq = {
    method: req.method,
    query: { ...Object.fromEntries(url.searchParams), nextauth: segments },
    body,
    headers,
    cookies: parseCookies(req.headers.get("cookie")),
  };
  const res = new CollectedResponse();
  await NextAuth(nodeReq as never, res as never, authOptions(info, sso));
  const response = res.toResponse();
  // The flow is over at the callback, whatever its outcome.
  if (sso && segments[0] === "callback") response.headers.append("set-cookie", ssoFlowCookie("", info.https, 0));
  return response;
}

async function formBody(req: Request): Promise<Record<string, string> | undefined> {
  if (req.method !== "POST") return undefined;
  const type = req.headers.get("content-type") ?? "";
  try {
    if (type.includes("application/json")) return (await req.json()) as Record<string, string>;
    return Object.fromEntries(new URLSearchParams(await req.text()));
  } catch {
    return {};
  }
}

function parseCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i < 1) continue;
    const value = part.slice(i + 1).trim();
    try {
      out[part.slice(0, i).trim()] = decodeURIComponent(value);
    } catch {
      out[part.slice(0, i).trim()] = value;
    }
  }
  return out;
}

/** The response object next-auth's handler writes to (status, headers, cookies, a body or a redirect). */
class CollectedResponse {
  private statusCode = 200;
  private readonly headers = new Map<string, string | string[]>();
  private body: string | null = null;

  status(code: number) {
    this.statusCode = code;
    return this;
  }
  getHeader(name: string) {
    return this.headers.get(name.toLowerCase());
  }
  setHeader(name: string, value: string | string[]) {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }
  end() {
    return this;
  }
  send(body: unknown) {
    this.body = body === undefined || body === null ? null : typeof body === "string" ? body : JSON.stringify(body);
    return this;
  }
  json(body: unknown) {
    this.setHeader("Content-Type", "application/json");
    return this.send(body);
  }

  toResponse(): Response {
    const headers = new Headers();
    for (const [name, value] of this.headers) for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
    return new Response(this.body, { status: this.statusCode, headers });
  }
}
