import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A scriptable in-process registry for unit tests of lib/oci: the parts of the distribution API
 * the client speaks (GET /v2/, manifests, blobs, tags/list), Basic or Bearer auth with its own
 * token route, and fault injection (redirects, hangs, revoked tokens). Integration tests use the
 * real CNCF Distribution instead (test/support/registry); this one exists for cases Distribution
 * can't produce on demand. Binds 127.0.0.1 only.
 */

export type FakeAuth = { kind: "none" } | { kind: "basic"; username: string; password: string } | { kind: "bearer"; username: string; password: string; expiresIn?: number };

export interface FakeRegistryRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface FakeRegistry {
  url: string;
  host: string;
  requests: FakeRegistryRequest[];
  tokenRequests: FakeRegistryRequest[];
  manifests: Map<string, { body: Buffer; mediaType: string }>;
  blobs: Map<string, Buffer>;
  /** Invalidates every token issued so far (a registry revoking early). */
  revokeTokens(): void;
  /** Custom handler tried first; return true when it answered. */
  intercept?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
  close(): Promise<void>;
}

const sha256 = (b: Buffer) => `sha256:${crypto.createHash("sha256").update(b).digest("hex")}`;

export async function startFakeRegistry(auth: FakeAuth): Promise<FakeRegistry> {
  const requests: FakeRegistryRequest[] = [];
  const tokenRequests: FakeRegistryRequest[] = [];
  const manifests = new Map<string, { body: Buffer; mediaType: string }>();
  const blobs = new Map<string, Buffer>();
  let validTokens = new Set<string>();
  let url = "";

  const basicOk = (h: string | undefined, u: string, p: string) => h === `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
  const ociError = (res: http.ServerResponse, status: number, code: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace(/_/g, " ") }] }));
  };

  const authorized = (req: http.IncomingMessage, res: http.ServerResponse, scope?: string): boolean => {
    if (auth.kind === "none") return true;
    const h = req.headers.authorization;
    if (auth.kind === "basic") {
      if (basicOk(h, auth.username, auth.password)) return true;
      ociError(res, 401, "UNAUTHORIZED", { "www-authenticate": 'Basic realm="fake"' });
      return false;
    }
    if (h?.startsWith("Bearer ") && validTokens.has(h.slice(7))) return true;
    const scopePart = scope ? `,scope="${scope}"` : "";
    ociError(res, 401, "UNAUTHORIZED", { "www-authenticate": `Bearer realm="${url}/token",service="fake-registry"${scopePart}` });
    return false;
  };

  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    const record = { method: req.method ?? "GET", path: u.pathname + u.search, headers: req.headers };
    if (fake.intercept?.(req, res)) return void requests.push(record);

    if (u.pathname === "/token") {
      tokenRequests.push(record);
      if (auth.kind !== "bearer") return ociError(res, 404, "NOT_FOUND");
      if (req.headers.authorization && !basicOk(req.headers.authorization, auth.username, auth.password)) return ociError(res, 401, "UNAUTHORIZED");
      const token = crypto.randomBytes(12).toString("hex");
      validTokens.add(token);
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ token, expires_in: auth.expiresIn ?? 300, issued_at: new Date().toISOString() }));
    }
    requests.push(record);
    if (u.pathname === "/v2/") {
      if (!authorized(req, res)) return;
      res.writeHead(200, { "content-type": "application/json", "docker-distribution-api-version": "registry/2.0" });
      return void res.end("{}");
    }
    const m = u.pathname.match(/^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/) ?? u.pathname.match(/^\/v2\/(.+)\/(tags)\/list$/);
    if (!m) return ociError(res, 404, "NOT_FOUND");
    const [, repo, kind, ref] = m;
    if (!authorized(req, res, `repository:${repo}:pull`)) return;
    if (kind === "tags") {
      const tags = [...manifests.keys()].filter((k) => k.startsWith(`${repo}:`) && !k.includes("@")).map((k) => k.slice(repo!.length + 1));
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ name: repo, tags }));
    }
    if (kind === "manifests") {
      const entry = manifests.get(`${repo}:${ref}`) ?? [...manifests.entries()].find(([k, v]) => k.startsWith(`${repo}:`) && sha256(v.body) === ref)?.[1];
      if (!entry) return ociError(res, 404, "MANIFEST_UNKNOWN");
      res.writeHead(200, { "content-type": entry.mediaType, "content-length": entry.body.length, "docker-content-digest": sha256(entry.body) });
      return void res.end(req.method === "HEAD" ? undefined : entry.body);
    }
    const blob = blobs.get(ref!);
    if (!blob) return ociError(res, 404, "BLOB_UNKNOWN");
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": blob.length, "docker-content-digest": ref! });
    res.end(req.method === "HEAD" ? undefined : blob);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;
  const fake: FakeRegistry = {
    url,
    host: `127.0.0.1:${port}`,
    requests,
    tokenRequests,
    manifests,
    blobs,
    revokeTokens: () => void (validTokens = new Set()),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
