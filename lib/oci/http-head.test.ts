import { describe, expect, it } from "vitest";
import { UpstreamError } from "./errors";
import { parseHead } from "./http-head";

/** The one strict reader of HTTP/1.1 answer heads for the clients on sockets of their own. */
describe("parseHead", () => {
  const refusal = (text: string) => {
    try {
      parseHead(text, "registry.example");
    } catch (e) {
      expect(e).toBeInstanceOf(UpstreamError);
      return (e as UpstreamError).message;
    }
    throw new Error("parsed");
  };

  it("reads the status, the headers by lower-case name and whether the connection may carry another request", () => {
    const head = parseHead("HTTP/1.1 200 OK\r\nContent-Length: 528\r\nDocker-Content-Digest:  sha256:abc \t", "r");
    expect(head).toEqual({ status: 200, headers: { "content-length": "528", "docker-content-digest": "sha256:abc" }, keepAlive: true });
    expect(parseHead("HTTP/1.1 404 Not Found\r\nConnection: keep-alive, Close", "r").keepAlive).toBe(false);
    expect(parseHead("HTTP/1.0 200 OK", "r").keepAlive).toBe(false);
    expect(parseHead("HTTP/1.1 204", "r").status).toBe(204);
  });

  it("combines repeated headers as node:http does, and a header named __proto__ is only a header", () => {
    const head = parseHead("HTTP/1.1 200 OK\r\nETag: a\r\nETag: b\r\nVary: x\r\nVary: y\r\nSet-Cookie: 1\r\nSet-Cookie: 2\r\n__proto__: p", "r");
    expect(head.headers.etag).toBe("a");
    expect(head.headers.vary).toBe("x, y");
    expect(head.headers["set-cookie"]).toEqual(["1", "2"]);
    expect(head.headers["__proto__"]).toBe("p");
    expect(Object.getPrototypeOf(head.headers)).toBeNull();
  });

  it("refuses what could be read two ways, naming the host", () => {
    expect(refusal("HTTP/1.1 2000 OK")).toBe("registry.example sent a malformed status line.");
    expect(refusal("HTTP/2 200")).toBe("registry.example sent a malformed status line.");
    expect(refusal("HTTP/1.1 200 OK\r\nX-A: 1\r\n continued")).toBe("registry.example sent a malformed header line.");
    expect(refusal("HTTP/1.1 200 OK\r\nX-A : 1")).toBe("registry.example sent a malformed header line.");
    expect(refusal("HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2")).toBe("registry.example sent an invalid character in its X-A header.");
    expect(refusal("HTTP/1.1 200 OK\r\nX-A: 1\rX-B: 2")).toBe("registry.example sent an invalid character in its X-A header.");
    expect(refusal("HTTP/1.1 200 OK\r\nNo colon here")).toBe("registry.example sent a malformed header line.");
  });
});
