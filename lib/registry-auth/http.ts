import crypto from "node:crypto";
import { z } from "zod";
import { getDb, type Db } from "@/lib/db/client";
import { isServiceAuthorized } from "@/lib/internal/service-token";
import { checkCredentials, checkUsernamePassword, type CredentialCheck } from "./credentials";
import { ingestRegistryEvents, registryEnvelopeSchema } from "./events";
import { grantAccess, subjectOf } from "./grants";
import { signJwt, type RegistryClaims } from "./jwt";
import { MAX_SCOPES, mergeRepositoryScopes, scopeParams } from "./scope";
import { registrySigningKey, type RegistrySigningKey } from "./signing-key";
import { REGISTRY_ISSUER, REGISTRY_SERVICE, REGISTRY_TOKEN_TTL_SECONDS, registryEventsToken } from "./settings";
import { readBodyText } from "@/lib/http/body";
import { clientIpFromHeaders } from "@/lib/http/client-ip";
import { NO_STORE } from "@/lib/http/responses";
import { logger } from "@/lib/log/log";
import { ociAnswer, ociErrorBody, type OciCode } from "@/lib/oci/errcode";

/**
 * The hosted registry's two portal endpoints, as Request → Response functions for the thin route
 * handlers under app/api/registry/ (and for tests, which serve them over node:http):
 * - the token service of the Docker registry token-auth spec (GET, Basic credentials → JWT; and
 *   POST, the OAuth2 password grant that containerd tries first);
 * - the receiver of Distribution's notifications (POST, bearer secret → PullEvent rows).
 * Errors use the OCI error shape `{"errors":[{code,message}]}` that registry clients print.
 * Neither ever answers 500: an unexpected failure is a 503 (retry later) with nothing in it.
 */

export interface RegistryAuthDeps {
  db?: () => Promise<Db>;
  signingKey?: () => Promise<RegistrySigningKey>;
  now?: () => Date;
  service?: string;
  issuer?: string;
  ttlSeconds?: number;
  eventsToken?: () => string | undefined;
}


/** An OCI error answer (lib/oci/errcode.ts) with `status` (the code's own unless given). */
function ociError(code: OciCode, message: string, opts: { status?: number; headers?: Record<string, string> } = {}): Response {
  const answer = ociAnswer(code, message, opts);
  return new Response(ociErrorBody(answer.code, answer.message), { status: answer.status, headers: { "content-type": "application/json", ...NO_STORE, ...answer.headers } });
}

const unavailable = (e: unknown, what: string) => {
  logger().error(`registry ${what} failed`, { error: e });
  return ociError("UNAVAILABLE", `The registry ${what} is temporarily unavailable. Try again shortly.`);
};

const clientIp = (req: Request) => clientIpFromHeaders(req.headers);

const scopesSchema = z.array(z.string().max(512, "a scope is longer than 512 characters")).max(MAX_SCOPES, `at most ${MAX_SCOPES} scopes per request`);

const tokenQuerySchema = z.object({
  service: z.string().min(1).max(255).optional(),
  account: z.string().max(320).optional(),
  scopes: scopesSchema,
});

/**
 * The OAuth2 form of a token request (distribution's spec/auth/oauth.md), which containerd — and
 * so the kubelet — tries before GET when it has credentials. Only the password grant: no refresh
 * tokens are issued, and a refresh_token grant gets 400 `unsupported_grant_type`, on which
 * containerd falls back to GET. Lenient where the spec is strict and nothing depends on it:
 * `client_id` may be missing. Wrong credentials get the same 401 (OCI error body) as GET, not
 * OAuth's 400 `invalid_grant`: clients print the message either way, and containerd falls back
 * to GET on both.
 */
const oauthFormSchema = z.object({
  grant_type: z.string().max(64),
  service: z.string().min(1).max(255),
  client_id: z.string().min(1).max(255).optional(),
  scope: z.string().max(MAX_SCOPES * 520).optional(),
  username: z.string().max(320).optional(),
  password: z.string().max(1024).optional(),
  access_type: z.string().max(32).optional(),
});
const OAUTH_FORM_LIMIT = 64 * 1024;

const oauthError = (status: number, error: string, description: string, headers: Record<string, string> = {}) =>
  Response.json({ error, error_description: description }, { status, headers: { ...NO_STORE, ...headers } });

interface TokenRequest {
  service?: string;
  account?: string;
  scopes: string[];
  /** Checks the caller's credentials (Basic header, or the form's username and password). */
  check: (db: Db, ip: string | null) => Promise<CredentialCheck>;
  oauth: boolean;
}

/** GET (Basic header, query) or POST (OAuth2 form) → one token request, or the Response that refuses it. */
async function readTokenRequest(req: Request): Promise<TokenRequest | Response> {
  if (req.method === "POST") {
    const type = req.headers.get("content-type") ?? "";
    if (!/^application\/x-www-form-urlencoded\b/i.test(type)) return oauthError(400, "invalid_request", "Send the token request as application/x-www-form-urlencoded.");
    const text = await readBodyText(req, OAUTH_FORM_LIMIT);
    if (text === null) return oauthError(413, "invalid_request", "The token request is too large.");
    const form = oauthFormSchema.safeParse(Object.fromEntries(new URLSearchParams(text)));
    if (!form.success) return oauthError(400, "invalid_request", `Invalid token request: ${form.error.issues[0]!.path.join(".")} ${form.error.issues[0]!.message}.`);
    const f = form.data;
    if (f.grant_type !== "password") return oauthError(400, "unsupported_grant_type", "This token service supports the password grant only (use GET with Basic credentials otherwise).");
    if (f.username === undefined || f.password === undefined) return oauthError(400, "invalid_request", "The password grant needs a username and a password.");
    const scopes = scopesSchema.safeParse((f.scope ?? "").split(" ").filter(Boolean));
    if (!scopes.success) return oauthError(400, "invalid_request", `Invalid token request: ${scopes.error.issues[0]!.message}.`);
    const creds = { username: f.username, password: f.password };
    return { service: f.service, scopes: scopes.data, oauth: true, check: (db, ip) => checkUsernamePassword(db, creds, ip) };
  }
  const params = new URL(req.url).searchParams;
  const query = tokenQuerySchema.safeParse({
    service: params.get("service") ?? undefined,
    account: params.get("account") ?? undefined,
    scopes: scopeParams(params),
  });
  if (!query.success) return ociError("UNSUPPORTED", `Invalid token request: ${query.error.issues[0]!.message}.`, { status: 400 });
  const authorization = req.headers.get("authorization");
  return { ...query.data, oauth: false, check: (db, ip) => checkCredentials(db, authorization, ip) };
}

/**
 * GET /api/registry/token?service=…&scope=repository:NAME:pull,push&…[&account=…] with Basic
 * credentials (or none: an anonymous token), and POST /api/registry/token with the OAuth2
 * password grant.
 */
export async function handleRegistryToken(req: Request, deps: RegistryAuthDeps = {}): Promise<Response> {
  try {
    const request = await readTokenRequest(req);
    if (request instanceof Response) return request;
    const service = deps.service ?? REGISTRY_SERVICE;
    if (request.service !== undefined && request.service !== service) {
      const message = `This token service issues tokens for "${service}" only.`;
      return request.oauth ? oauthError(400, "invalid_request", message) : ociError("UNSUPPORTED", message, { status: 400 });
    }
    let key: RegistrySigningKey;
    try {
      key = await (deps.signingKey ?? registrySigningKey)();
    } catch (e) {
      return unavailable(e, "token service");
    }
    const db = await (deps.db ?? getDb)();
    const checked = await request.check(db, clientIp(req));
    if (!checked.ok) {
      if (checked.status === 429) {
        return ociError("TOOMANYREQUESTS", checked.message, checked.retryAfterSeconds ? { headers: { "retry-after": String(checked.retryAfterSeconds) } } : {});
      }
      return ociError("UNAUTHORIZED", checked.message, { headers: { "www-authenticate": `Basic realm="${service}"` } });
    }
    if (checked.username !== undefined && request.account !== undefined && request.account !== checked.username) {
      return ociError("UNSUPPORTED", "The account parameter does not match the username.", { status: 400 });
    }

    const access = await grantAccess(db, checked.principal, mergeRepositoryScopes(request.scopes));
    const now = Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
    const ttl = deps.ttlSeconds ?? REGISTRY_TOKEN_TTL_SECONDS;
    const claims: RegistryClaims = {
      iss: deps.issuer ?? REGISTRY_ISSUER,
      sub: subjectOf(checked.principal),
      aud: service,
      exp: now + ttl,
      nbf: now,
      iat: now,
      jti: crypto.randomUUID(),
      access,
    };
    const token = signJwt(claims, key.privateKey, key.kid);
    const issued = { expires_in: ttl, issued_at: new Date(now * 1000).toISOString() };
    if (request.oauth) {
      const scope = access.map((a) => `${a.type}:${a.name}:${a.actions.join(",")}`).join(" ");
      return Response.json({ access_token: token, scope, ...issued }, { status: 200, headers: NO_STORE });
    }
    return Response.json({ token, access_token: token, ...issued }, { status: 200, headers: NO_STORE });
  } catch (e) {
    return unavailable(e, "token service");
  }
}

const EVENTS_BODY_LIMIT = 1024 * 1024;

/** POST /api/registry/events: Distribution's notification envelopes. */
export async function handleRegistryEvents(req: Request, deps: RegistryAuthDeps = {}): Promise<Response> {
  try {
    const expected = (deps.eventsToken ?? registryEventsToken)();
    if (!expected) return ociError("UNAVAILABLE", "REGISTRY_EVENTS_TOKEN is not configured: registry notifications are disabled.");
    if (!isServiceAuthorized(req.headers.get("authorization"), expected)) {
      return ociError("UNAUTHORIZED", "A valid registry events token is required.", { headers: { "www-authenticate": 'Bearer realm="portcullis-registry-events"' } });
    }
    const text = await readBodyText(req, EVENTS_BODY_LIMIT);
    if (text === null) return ociError("UNSUPPORTED", "The notification is too large.", { status: 413 });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return ociError("UNSUPPORTED", "The notification is not JSON.", { status: 400 });
    }
    const envelope = registryEnvelopeSchema.safeParse(body);
    if (!envelope.success) return ociError("UNSUPPORTED", "Expected a notification envelope: {\"events\":[…]}.", { status: 400 });
    const db = await (deps.db ?? getDb)();
    const result = await ingestRegistryEvents(db, envelope.data.events, deps.now?.());
    return Response.json(result, { status: 200, headers: NO_STORE });
  } catch (e) {
    // 503: Distribution keeps the event and delivers it again later.
    return unavailable(e, "events receiver");
  }
}
