import { describe, expect, it } from "vitest";
import { readBodyText } from "./body";

/** A request whose body arrives in chunks without a Content-Length, as a chunked upload does. */
function chunked(chunks: string[], onPull?: () => void): Request {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      onPull?.();
      if (i < chunks.length) controller.enqueue(new TextEncoder().encode(chunks[i++]));
      else controller.close();
    },
  });
  return new Request("http://x/", { method: "POST", body, duplex: "half" } as RequestInit);
}

describe("readBodyText", () => {
  it("reads a body within the limit, with or without Content-Length", async () => {
    expect(await readBodyText(new Request("http://x/", { method: "POST", body: "héllo" }), 100)).toBe("héllo");
    expect(await readBodyText(chunked(["ab", "cd", "é"]), 100)).toBe("abcdé");
    expect(await readBodyText(new Request("http://x/", { method: "POST" }), 100)).toBe("");
  });

  it("refuses a declared Content-Length over the limit without reading", async () => {
    const req = new Request("http://x/", { method: "POST", body: "x".repeat(10), headers: { "content-length": "1000" } });
    expect(await readBodyText(req, 100)).toBeNull();
  });

  it("stops reading a chunked body as soon as it passes the limit", async () => {
    let pulls = 0;
    const req = chunked(Array.from({ length: 1000 }, () => "x".repeat(1000)), () => pulls++);
    expect(await readBodyText(req, 4_500)).toBeNull();
    expect(pulls).toBeLessThan(10);
  });
});
