import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, importJWK, type JWK } from "jose";

/**
 * A real OpenID Provider for tests: the `oidc-provider` package (the certified Node
 * implementation) on 127.0.0.1, with its development login form (any login; the password is not
 * checked), whose accounts' claims come from the table the test passes. Consent is granted
 * without asking, so a sign-in is: the form, then straight back to the client.
 *
 * `tamperIdToken` rewrites the ID token of the next token responses (claims changed and signed
 * with the provider's own key, or with another key): how tests prove the client refuses a wrong
 * audience, an expired token or a foreign signature that a correct provider never sends.
 */

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
}

export interface TestClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export type IdTokenTamper = (claims: Record<string, unknown>) => { claims: Record<string, unknown>; foreignKey?: boolean };

export interface TestOidcProvider {
  issuer: string;
  /** Claims of the account a login name signs in as (default: the login as a verified email). */
  accounts: Map<string, TestAccount>;
  tamperIdToken(fn: IdTokenTamper | null): void;
  /** Token endpoint requests seen (grant types), newest last. */
  tokenRequests: string[];
  stop(): Promise<void>;
}

interface ProviderLike {
  callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
  use(mw: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
  Grant: new (opts: { clientId: string; accountId: string }) => { addOIDCScope(s: string): void; addOIDCClaims(c: string[]): void; save(): Promise<string> };
  proxy?: boolean;
}
interface KoaContext {
  path: string;
  method: string;
  body: unknown;
  oidc?: { client?: { clientId: string }; session?: { accountId?: string } };
}

/**
 * A person at the provider's login form, without a browser: follows the authorization request
 * through the form (login name, any password) and answers where the provider sends the browser
 * back (the client's redirect URI with `code` and `state`, or an error).
 */
export async function loginAtProvider(authorizationUrl: string, login: string): Promise<URL> {
  const jar = new Map<string, string>();
  const origin = new URL(authorizationUrl).origin;
  const go = async (url: string, init: { method?: string; body?: string } = {}) => {
    const res = await fetch(url, {
      method: init.method ?? "GET",
      redirect: "manual",
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "), ...(init.body && { "content-type": "application/x-www-form-urlencoded" }) },
      body: init.body,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const i = pair!.indexOf("=");
      jar.set(pair!.slice(0, i).trim(), pair!.slice(i + 1).trim());
    }
    return res;
  };
  let res = await go(authorizationUrl);
  for (let hops = 0; hops < 10; hops++) {
    const location = res.headers.get("location");
    if (location) {
      const next = new URL(location, origin);
      if (next.origin !== origin) return next;
      res = await go(next.href);
      continue;
    }
    const html = await res.text();
    const action = html.match(/<form[^>]*action="([^"]+)"/)?.[1];
    if (!action) throw new Error(`the provider answered HTTP ${res.status} without a form: ${html.slice(0, 300)}`);
    const prompt = html.match(/name="prompt" value="(\w+)"/)?.[1] ?? "login";
    res = await go(new URL(action, origin).href, { method: "POST", body: new URLSearchParams(prompt === "login" ? { prompt, login, password: "any" } : { prompt }).toString() });
  }
  throw new Error("the provider never sent the browser back");
}

export async function startOidcProvider(opts: { clients: TestClient[]; accounts?: Record<string, TestAccount> }): Promise<TestOidcProvider> {
  const { default: Provider } = (await import("oidc-provider" as string)) as { default: new (issuer: string, config: unknown) => ProviderLike };
  const accounts = new Map(Object.entries(opts.accounts ?? {}));
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...(privateKey.export({ format: "jwk" }) as JWK), kid: "test-key-1", alg: "RS256", use: "sig" };
  const foreign = { ...(crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }) as JWK), kid: "test-key-1", alg: "RS256" };
  let tamper: IdTokenTamper | null = null;
  const tokenRequests: string[] = [];

  // The port must be known before the issuer URL: listen first, then attach the provider.
  let handler: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | undefined;
  const server = http.createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: opts.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: [crypto.randomBytes(16).toString("hex")] },
    scopes: ["openid", "email", "profile", "groups"],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    // Scope claims in the ID token itself, as Okta, Entra ID and Google put them there.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx: unknown, id: string) {
      const a = accounts.get(id) ?? {};
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: a.email ?? id, email_verified: a.email_verified ?? true, ...(a.name && { name: a.name }), ...(a.groups && { groups: a.groups }) };
        },
      };
    },
    async loadExistingGrant(ctx: KoaContext) {
      const clientId = ctx.oidc!.client!.clientId;
      const accountId = ctx.oidc!.session!.accountId!;
      const grant = new provider.Grant({ clientId, accountId });
      grant.addOIDCScope("openid email profile groups");
      grant.addOIDCClaims(["email", "email_verified", "name", "groups"]);
      await grant.save();
      return grant;
    },
    ttl: { Session: 600, Interaction: 600, Grant: 600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
  });

  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== "/token" || ctx.method !== "POST") return;
    const body = ctx.body as Record<string, unknown> | undefined;
    tokenRequests.push(typeof body?.id_token === "string" ? "authorization_code" : "refused");
    if (!tamper || typeof body?.id_token !== "string") return;
    const claims = JSON.parse(Buffer.from(body.id_token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
    const changed = tamper(claims);
    const key = await importJWK(changed.foreignKey ? foreign : jwk, "RS256");
    body.id_token = await new SignJWT(changed.claims).setProtectedHeader({ alg: "RS256", kid: "test-key-1", typ: "JWT" }).sign(key);
  });
  handler = provider.callback();

  return {
    issuer,
    accounts,
    tokenRequests,
    tamperIdToken(fn) {
      tamper = fn;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
