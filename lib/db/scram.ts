import crypto from "node:crypto";

/**
 * Server side of SCRAM-SHA-256 (RFC 5802 / 7677) as PostgreSQL uses it: the password never
 * crosses the socket (a process that can read loopback traffic — e.g. another container of the
 * same pod with CAP_NET_RAW — learns nothing it can replay), and the server proves it knows the
 * password too. node-postgres, Prisma's adapter and psql all speak it.
 *
 * Only the plain mechanism is offered (no channel binding: the socket has no TLS).
 */
export const SCRAM_MECHANISM = "SCRAM-SHA-256";
const ITERATIONS = 4096;

const hmac = (key: Buffer, text: string) => crypto.createHmac("sha256", key).update(text).digest();
const sha256 = (data: Buffer) => crypto.createHash("sha256").update(data).digest();

export interface ScramKeys {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** The verifier of a password (what PostgreSQL keeps in pg_authid), computed once per server. */
export function scramKeys(password: string, salt = crypto.randomBytes(16), iterations = ITERATIONS): ScramKeys {
  const salted = crypto.pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
  return { salt, iterations, storedKey: sha256(hmac(salted, "Client Key")), serverKey: hmac(salted, "Server Key") };
}

class ScramError extends Error {}

/** `a=1,b=2` → {a: "1", b: "2"} (values may contain "="). */
function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    if (eq !== 1) throw new ScramError("malformed SCRAM message");
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

/** One authentication exchange. */
export class ScramExchange {
  private clientFirstBare = "";
  private serverFirst = "";
  private gs2Header = "";
  private nonce = "";

  constructor(private readonly keys: ScramKeys) {}

  /** client-first-message → server-first-message. */
  start(clientFirst: string): string {
    // gs2-header: "n,," (client does not support channel binding) or "y,," (it does, we don't offer it).
    const m = /^([ny]),(?:a=[^,]*)?,(.*)$/.exec(clientFirst);
    if (!m) throw new ScramError("channel binding is not supported; use SCRAM-SHA-256 without it");
    this.gs2Header = clientFirst.slice(0, clientFirst.length - m[2]!.length);
    this.clientFirstBare = m[2]!;
    const clientNonce = attributes(this.clientFirstBare).get("r");
    if (!clientNonce || !/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) throw new ScramError("malformed SCRAM client nonce");
    this.nonce = clientNonce + crypto.randomBytes(18).toString("base64");
    this.serverFirst = `r=${this.nonce},s=${this.keys.salt.toString("base64")},i=${this.keys.iterations}`;
    return this.serverFirst;
  }

  /** client-final-message → server-final-message, or null when the proof is wrong. */
  finish(clientFinal: string): string | null {
    const proofAt = clientFinal.lastIndexOf(",p=");
    if (proofAt < 0) throw new ScramError("malformed SCRAM client-final message");
    const withoutProof = clientFinal.slice(0, proofAt);
    const attrs = attributes(withoutProof);
    if (attrs.get("c") !== Buffer.from(this.gs2Header).toString("base64")) throw new ScramError("SCRAM channel binding mismatch");
    if (attrs.get("r") !== this.nonce) throw new ScramError("SCRAM nonce mismatch");
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), "base64");
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(this.keys.storedKey, authMessage);
    if (proof.length !== signature.length) return null;
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
    if (!crypto.timingSafeEqual(sha256(clientKey), this.keys.storedKey)) return null;
    return `v=${hmac(this.keys.serverKey, authMessage).toString("base64")}`;
  }
}
