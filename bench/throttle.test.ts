// Run: npx vitest run --project unit bench
import assert from "node:assert/strict";
import crypto from "node:crypto";
import net from "node:net";
import { afterAll as after, describe, it } from "vitest";
import { startThrottle } from "./throttle";

/** An upstream that answers every connection with `payload` once it has read `expect` bytes, and records what each connection sent. */
async function startUpstream(payload: Buffer, expect: number) {
  const received: Buffer[] = [];
  const server = net.createServer((s) => {
    const chunks: Buffer[] = [];
    let got = 0;
    s.on("data", (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= expect) {
        received.push(Buffer.concat(chunks));
        s.end(payload);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { host: `127.0.0.1:${(server.address() as net.AddressInfo).port}`, received, close: () => new Promise((r) => server.close(r)) };
}

function exchange(host: string, request: Buffer): Promise<Buffer> {
  const [h, p] = host.split(":");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = net.connect({ host: h!, port: Number(p) }, () => s.write(request));
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("end", () => resolve(Buffer.concat(chunks)));
    s.on("error", reject);
  });
}

describe("throttle", () => {
  const closers: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const c of closers) await c();
  });

  it("relays both directions intact and in order, with a buffer much smaller than the payload, and counts the bytes", async () => {
    const payload = crypto.randomBytes(3 * 1024 * 1024 + 17);
    const request = crypto.randomBytes(200_000);
    const upstream = await startUpstream(payload, request.length);
    closers.push(upstream.close);
    // Fast enough for a test; a 64 KiB buffer makes the relay pause and resume the upstream many times.
    const throttle = await startThrottle({ upstream: upstream.host, bytesPerSecond: 64 * 1024 * 1024, rttMs: 2, bufferBytes: 64 * 1024 });
    closers.push(throttle.close);

    const [a, b] = await Promise.all([exchange(throttle.host, request), exchange(throttle.host, request)]);
    assert.ok(a.equals(payload));
    assert.ok(b.equals(payload));
    assert.equal(upstream.received.length, 2);
    for (const r of upstream.received) assert.ok(r.equals(request));
    assert.deepEqual(throttle.stats(), { down: 2 * payload.length, up: 2 * request.length, connections: 2 });

    throttle.reset();
    assert.deepEqual(throttle.stats(), { down: 0, up: 0, connections: 0 });
  });
});
