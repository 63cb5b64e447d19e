import crypto from "node:crypto";

/**
 * A self-signed X.509 certificate for the token-signing key, written in DER by hand: Node can
 * parse certificates (`crypto.X509Certificate`) but not issue them, and the portal must not
 * depend on an `openssl` binary at run time.
 *
 * Distribution only needs the certificate to carry the public key: it trusts tokens whose `kid`
 * is the libtrust key ID of a key in its rootcertbundle. Any certificate of the same key works,
 * so a new one may be issued whenever the bundle is written (the key, not the certificate, is the
 * identity). Minimal v3 certificate, no extensions, ecdsa-with-SHA256.
 */

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
} as const;

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const tlv = (tag: number, ...content: Buffer[]) => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
};

const sequence = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);

function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map(Number);
  const bytes: number[] = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A positive INTEGER from big-endian bytes (a leading 0x00 when the top bit is set). */
function integer(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && bytes[start + 1]! < 0x80) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, trimmed[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "") + "Z";
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), "ascii")) : tlv(0x18, Buffer.from(digits, "ascii"));
}

const name = (commonName: string) => sequence(set(sequence(oid(OID.commonName), tlv(0x0c, Buffer.from(commonName, "utf8")))));

export interface CertificateOptions {
  commonName?: string;
  /** Default: now minus one hour (clock skew). */
  notBefore?: Date;
  /** Default: ten years. */
  validDays?: number;
}

/** A self-signed certificate (PEM) for a P-256 private key. */
export function selfSignedCertificate(privateKey: crypto.KeyObject, opts: CertificateOptions = {}): string {
  if (privateKey.asymmetricKeyType !== "ec" || privateKey.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new TypeError("selfSignedCertificate: a P-256 (prime256v1) EC private key is required");
  }
  const spki = crypto.createPublicKey(privateKey).export({ type: "spki", format: "der" });
  const notBefore = opts.notBefore ?? new Date(Date.now() - 3600_000);
  const notAfter = new Date(notBefore.getTime() + (opts.validDays ?? 3650) * 86400_000);
  const serial = crypto.randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, 16 bytes, no padding byte
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const subject = name(opts.commonName ?? "portcullis registry token signing");
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // version v3
    integer(serial),
    algorithm,
    subject,
    sequence(time(notBefore), time(notAfter)),
    subject,
    spki,
  );
  const signature = crypto.sign("sha256", tbs, privateKey); // DER ECDSA-Sig-Value, as X.509 wants
  const der = sequence(tbs, algorithm, tlv(0x03, Buffer.from([0]), signature));
  const lines = der.toString("base64").match(/.{1,64}/g)!;
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}
