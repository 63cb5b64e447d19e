import { describe, expect, it } from "vitest";
import { clientIpFromHeaders } from "./client-ip";

describe("clientIpFromHeaders", () => {
  it("takes the entry the last proxy appended, not what the client wrote before it", () => {
    expect(clientIpFromHeaders(new Headers({ "x-forwarded-for": "1.2.3.4, 203.0.113.7" }))).toBe("203.0.113.7");
    expect(clientIpFromHeaders(new Headers({ "x-forwarded-for": "203.0.113.7" }))).toBe("203.0.113.7");
  });
  it("falls back to X-Real-IP, then nothing", () => {
    expect(clientIpFromHeaders(new Headers({ "x-real-ip": "203.0.113.8" }))).toBe("203.0.113.8");
    expect(clientIpFromHeaders(new Headers({ "x-forwarded-for": " , " }))).toBeNull();
    expect(clientIpFromHeaders(new Headers())).toBeNull();
  });
});
