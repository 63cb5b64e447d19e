import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for the Amazon ECR API's GetAuthorizationToken, on 127.0.0.1, speaking the real
 * wire format (awsJson1_1) so @aws-sdk/client-ecr runs unmodified against it with
 * `endpoint: fake.endpoint`:
 *
 * - `POST /`, `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken`,
 *   `Content-Type: application/x-amz-json-1.1`.
 * - The SigV4 `Authorization` header is verified for real: an unknown access key id gets
 *   `UnrecognizedClientException` (400), a wrong secret `InvalidSignatureException` (400) — so a
 *   test with a wrong secret fails the way AWS would.
 * - Success: `{"authorizationData":[{"authorizationToken": base64("AWS:<password>"),
 *   "expiresAt": <epoch seconds, a number>, "proxyEndpoint": "https://<acct>.dkr.ecr.<region>.amazonaws.com"}]}`.
 *
 * The `password` of each key is what the test puts into the Distribution's htpasswd for user `AWS`.
 */

export interface EcrFakeKey {
  secretAccessKey: string;
  /** The registry password GetAuthorizationToken hands out for this key. */
  password: string;
}

export interface EcrFakeOptions {
  keys: Record<string, EcrFakeKey>;
  region?: string;
  accountId?: string;
  /** Lifetime of issued tokens; ECR's is 12 hours. */
  tokenTtlSeconds?: number;
  /** Listen on this port (a server started beforehand was told it); default: any free port. */
  port?: number;
}

export interface EcrFakeCall {
  target: string;
  accessKeyId?: string;
  status: number;
  errorType?: string;
}

export interface EcrFake {
  /** For the SDK's `endpoint` option: http://127.0.0.1:PORT */
  endpoint: string;
  region: string;
  accountId: string;
  /** The ECR registry host this fake pretends to serve (for messages; tests use a local Distribution). */
  registryHost: string;
  calls: EcrFakeCall[];
  keys: Record<string, EcrFakeKey>;
  close(): Promise<void>;
}

const TARGET_PREFIX = "AmazonEC2ContainerRegistry_V20150921.";

const sha256Hex = (data: string | Buffer) => crypto.createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => crypto.createHmac("sha256", key).update(data).digest();

interface ParsedAuth {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string | undefined): ParsedAuth | undefined {
  const m = header?.match(/^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/);
  if (!m) return undefined;
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]!, signedHeaders: m[5]!.split(";"), signature: m[6]! };
}

/** Recomputes the SigV4 signature of a request the way AWS does (header-based, no query). */
function expectedSignature(req: http.IncomingMessage, body: Buffer, auth: ParsedAuth, secret: string): string {
  const url = new URL(req.url ?? "/", "http://x");
  const canonicalHeaders = auth.signedHeaders
    .map((name) => {
      const raw = req.headers[name];
      const value = Array.isArray(raw) ? raw.join(",") : (raw ?? "");
      return `${name}:${value.trim().replace(/\s+/g, " ")}\n`;
    })
    .join("");
  const payloadHash = (req.headers["x-amz-content-sha256"] as string | undefined) ?? sha256Hex(body);
  const canonicalRequest = [req.method, url.pathname, url.search.slice(1), canonicalHeaders, auth.signedHeaders.join(";"), payloadHash].join("\n");
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", String(req.headers["x-amz-date"]), scope, sha256Hex(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, auth.date), auth.region), auth.service), "aws4_request");
  return crypto.createHmac("sha256", key).update(stringToSign).digest("hex");
}

export async function startEcrFake(opts: EcrFakeOptions): Promise<EcrFake> {
  const region = opts.region ?? "us-east-1";
  const accountId = opts.accountId ?? "123456789012";
  const registryHost = `${accountId}.dkr.ecr.${region}.amazonaws.com`;
  const ttl = opts.tokenTtlSeconds ?? 12 * 3600;
  const calls: EcrFakeCall[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const target = String(req.headers["x-amz-target"] ?? "");
      const auth = parseAuthorization(req.headers.authorization);
      const reply = (status: number, doc: unknown, errorType?: string) => {
        calls.push({ target, accessKeyId: auth?.accessKeyId, status, ...(errorType && { errorType }) });
        res.writeHead(status, {
          "content-type": "application/x-amz-json-1.1",
          "x-amzn-requestid": crypto.randomUUID(),
          ...(errorType && { "x-amzn-errortype": errorType }),
        });
        res.end(JSON.stringify(doc));
      };
      const fail = (status: number, type: string, message: string) => reply(status, { __type: type, message }, type);

      if (req.method !== "POST" || req.url !== "/") return fail(404, "UnknownOperationException", "");
      if (!auth) return fail(400, "MissingAuthenticationTokenException", "Missing Authentication Token");
      const key = opts.keys[auth.accessKeyId];
      if (!key) return fail(400, "UnrecognizedClientException", "The security token included in the request is invalid.");
      if (!auth.signedHeaders.includes("host") || expectedSignature(req, body, auth, key.secretAccessKey) !== auth.signature) {
        return fail(
          400,
          "InvalidSignatureException",
          "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        );
      }
      if (target !== `${TARGET_PREFIX}GetAuthorizationToken`) return fail(400, "UnknownOperationException", "");
      reply(200, {
        authorizationData: [
          {
            authorizationToken: Buffer.from(`AWS:${key.password}`).toString("base64"),
            expiresAt: Math.floor(Date.now() / 1000) + ttl,
            proxyEndpoint: `https://${registryHost}`,
          },
        ],
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    accountId,
    registryHost,
    calls,
    keys: opts.keys,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
