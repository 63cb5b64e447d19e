import { describe, expect, it } from "vitest";
import { clientAddress } from "./client-address";

describe("clientAddress", () => {
  it("is the socket's peer unless proxies in front are trusted", () => {
    expect(clientAddress("10.0.0.5", "203.0.113.7", 0)).toBe("10.0.0.5");
    expect(clientAddress("10.0.0.5", undefined, 1)).toBe("10.0.0.5");
    expect(clientAddress(undefined, undefined, 0)).toBe("unknown");
  });

  it("takes the entry as many hops back as there are trusted proxies, never one the client wrote", () => {
    // client 203.0.113.7 → LB (10.0.0.5, appends the client) → proxy
    expect(clientAddress("10.0.0.5", "203.0.113.7", 1)).toBe("203.0.113.7");
    // The client sent its own X-Forwarded-For: 1.2.3.4 — the LB appended the real address after it.
    expect(clientAddress("10.0.0.5", "1.2.3.4, 203.0.113.7", 1)).toBe("203.0.113.7");
    // Two balancers: CDN (appends client) → LB (appends CDN) → proxy.
    expect(clientAddress("10.0.0.5", "203.0.113.7, 198.51.100.2", 2)).toBe("203.0.113.7");
    // More trusted hops than entries: the leftmost entry there is.
    expect(clientAddress("10.0.0.5", "203.0.113.7", 3)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.5", ["1.2.3.4", "2001:db8::1"], 1)).toBe("2001:db8::1");
  });

  it("reads entries with a port or in brackets, as some balancers write them, and reports mapped IPv4 plainly", () => {
    expect(clientAddress("10.0.0.5", "203.0.113.7:51234", 1)).toBe("203.0.113.7");
    expect(clientAddress("10.0.0.5", "[2001:db8::7]:51234", 1)).toBe("2001:db8::7");
    expect(clientAddress("10.0.0.5", "[2001:db8::7]", 1)).toBe("2001:db8::7");
    expect(clientAddress("::ffff:127.0.0.1", undefined, 0)).toBe("127.0.0.1");
    expect(clientAddress("10.0.0.5", "::ffff:203.0.113.7", 1)).toBe("203.0.113.7");
  });

  it("stops at anything that isn't an address", () => {
    expect(clientAddress("10.0.0.5", "unknown", 1)).toBe("10.0.0.5");
    expect(clientAddress("10.0.0.5", "203.0.113.7, _hidden", 2)).toBe("10.0.0.5");
    expect(clientAddress("10.0.0.5", "", 1)).toBe("10.0.0.5");
  });
});
