import crypto from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { DigestMismatchError, DigestVerifier } from "./verify-digest";

const digestOf = (algorithm: "sha256" | "sha512", b: Buffer) => `${algorithm}:${crypto.createHash(algorithm).update(b).digest("hex")}`;

/** Streams `chunks` through a verifier; what came out, and the error if any. */
async function run(digest: string, chunks: Buffer[]): Promise<{ out: Buffer; error?: unknown }> {
  const got: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (c: Buffer) => got.push(c));
  try {
    await pipeline(Readable.from(chunks), new DigestVerifier(digest), sink);
    return { out: Buffer.concat(got) };
  } catch (error) {
    return { out: Buffer.concat(got), error };
  }
}

describe("DigestVerifier", () => {
  const body = crypto.randomBytes(10_000);
  const chunks = [body.subarray(0, 4000), body.subarray(4000, 9000), body.subarray(9000)];

  it("passes a body that matches its sha256 or sha512 digest through unchanged", async () => {
    for (const algorithm of ["sha256", "sha512"] as const) {
      const { out, error } = await run(digestOf(algorithm, body), chunks);
      expect(error).toBeUndefined();
      expect(out.equals(body)).toBe(true);
    }
    expect((await run(digestOf("sha256", Buffer.alloc(0)), [])).error).toBeUndefined();
  });

  it("fails a short or altered body, and never lets its last chunk out", async () => {
    const short = await run(digestOf("sha256", body), chunks.slice(0, 2));
    expect(short.error).toBeInstanceOf(DigestMismatchError);
    expect(short.out.length).toBeLessThan(9000);
    const altered = Buffer.from(body);
    altered[9500] = altered[9500]! ^ 1;
    const wrong = await run(digestOf("sha256", body), [altered.subarray(0, 4000), altered.subarray(4000, 9000), altered.subarray(9000)]);
    expect(wrong.error).toMatchObject({ name: "DigestMismatchError", bytes: 10_000 });
    expect(wrong.out.length).toBe(9000);
    expect((await run(digestOf("sha256", body), [])).error).toBeInstanceOf(DigestMismatchError);
  });

  it("accepts only digests lib/oci accepts", () => {
    expect(() => new DigestVerifier("md5:abc")).toThrow();
    expect(() => new DigestVerifier(`sha256:${"z".repeat(64)}`)).toThrow();
  });
});
