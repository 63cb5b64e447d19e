import { describe, expect, it } from "vitest";
import { undeclaredProxyDetector } from "./undeclared-proxy";

describe("undeclaredProxyDetector", () => {
  it("a private peer forwarding for three different clients is a proxy nobody declared: true once", () => {
    const d = undeclaredProxyDetector(3);
    expect(d.seen("10.0.0.5", "203.0.113.1")).toBe(false);
    expect(d.seen("10.0.0.5", "203.0.113.2")).toBe(false);
    expect(d.seen("::ffff:10.0.0.5", "198.51.100.9, 203.0.113.3")).toBe(true);
    expect(d.seen("10.0.0.5", "203.0.113.4")).toBe(false);
  });

  it("one client sending its own header, however often, is none", () => {
    const d = undeclaredProxyDetector(3);
    for (let i = 0; i < 100; i++) expect(d.seen("127.0.0.1", "198.51.100.77")).toBe(false);
  });

  it("counts the entry the peer appended, not what its clients wrote before it", () => {
    const d = undeclaredProxyDetector(3);
    for (const spoofed of ["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"]) expect(d.seen("127.0.0.1", [`${spoofed}, 198.51.100.7`])).toBe(false);
  });

  it("public peers, requests without the header and clients spread over peers don't count", () => {
    const d = undeclaredProxyDetector(3);
    for (const client of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) expect(d.seen("8.8.8.8", client)).toBe(false);
    expect(d.seen("10.0.0.1", undefined)).toBe(false);
    expect(d.seen("10.0.0.1", "203.0.113.1")).toBe(false);
    expect(d.seen("10.0.0.2", "203.0.113.2")).toBe(false);
    expect(d.seen("10.0.0.3", "203.0.113.3")).toBe(false);
    expect(d.seen(undefined, "203.0.113.3")).toBe(false);
  });
});
