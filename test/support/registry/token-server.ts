import crypto from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { selfSignedCertificate } from "@/lib/registry-auth/certificate";
import { libtrustKeyId, signJwt } from "@/lib/registry-auth/jwt";
import { mergeRepositoryScopes } from "@/lib/registry-auth/scope";
import { binary } from "./binaries";
import { cleanEnv, run } from "./process";

// The JWT, key-ID and certificate code is the portal's own (lib/registry-auth): this server and
// the portal's token service sign the same way.
export { libtrustKeyId, signJwt };

/**
 * A small Docker token service (distribution's "Token Authentication Specification") for a
 * Distribution started with `auth: { token: … }`. What Distribution checks
 * (lib/registry-auth/jwt.ts): ES256 JWTs signed as raw r‖s, `aud` a string equal to the
 * registry's service, `iss` equal to its issuer, and a `kid` that is libtrust's key ID of the
 * certificate in the registry's rootcertbundle. Basic auth against `users`; anonymous requests
 * get no access unless `access` says otherwise.
 */

export interface TokenServerOptions {
  service: string;
  issuer?: string;
  users: Record<string, string>;
  /** Which of the requested actions on `name` a user (undefined: anonymous) gets. Default: users get all, anonymous none. */
  access?: (user: string | undefined, name: string, requested: string[]) => string[];
  expiresIn?: number;
}

export interface TokenServerRequest {
  user?: string;
  scopes: string[];
  status: number;
}

export interface TokenServer {
  url: string;
  /** `${url}/token`: the registry's realm. */
  realm: string;
  service: string;
  issuer: string;
  /** PEM of the signing certificate: the registry's rootcertbundle. */
  certPem: string;
  requests: TokenServerRequest[];
  close(): Promise<void>;
}

/** A P-256 key and a self-signed certificate from openssl (a TLS server certificate for tests; the token server uses lib's). */
export async function generateSigningCert(commonName = "portcullis-test-token"): Promise<{ keyPem: string; certPem: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "portcullis-cert-"));
  try {
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    await run(
      binary("openssl"),
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=${commonName}`],
      { env: cleanEnv(dir) },
    );
    return { keyPem: await fs.readFile(key, "utf8"), certPem: await fs.readFile(cert, "utf8") };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const { privateKey: key } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const certPem = selfSignedCertificate(key, { commonName: "portcullis-test-token" });
  const kid = libtrustKeyId(crypto.createPublicKey(key));
  const issuer = opts.issuer ?? "portcullis-test";
  const requests: TokenServerRequest[] = [];
  const access = opts.access ?? ((user, _name, requested) => (user ? requested : []));

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const scopes = url.searchParams.getAll("scope");
    const reply = (status: number, doc: unknown, user?: string) => {
      requests.push({ ...(user && { user }), scopes, status });
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(doc));
    };
    if (url.pathname !== "/token") return reply(404, { errors: [{ code: "NOT_FOUND", message: "not found" }] });

    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth) {
      const [scheme, value] = auth.split(" ");
      const decoded = scheme === "Basic" && value ? Buffer.from(value, "base64").toString("utf8") : "";
      const colon = decoded.indexOf(":");
      const [u, p] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
      if (colon < 0 || opts.users[u] === undefined || opts.users[u] !== p) {
        return reply(401, { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] });
      }
      user = u;
    }
    // Scopes may repeat, even with the same value: merged per name.
    const merged = mergeRepositoryScopes(scopes);
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = opts.expiresIn ?? 300;
    const token = signJwt(
      {
        iss: issuer,
        sub: user ?? "",
        aud: opts.service,
        exp: now + expiresIn,
        nbf: now - 1,
        iat: now,
        jti: crypto.randomUUID(),
        access: [...merged].map(([name, actions]) => ({ type: "repository", name, actions: access(user, name, [...actions]) })).filter((a) => a.actions.length > 0),
      },
      key,
      kid,
    );
    reply(200, { token, access_token: token, expires_in: expiresIn, issued_at: new Date(now * 1000).toISOString() }, user);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    realm: `${url}/token`,
    service: opts.service,
    issuer,
    certPem,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
