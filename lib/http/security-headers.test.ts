import { describe, expect, it } from "vitest";
import { HSTS, contentSecurityPolicy, newNonce, securityHeaders, servedOverHttps } from "./security-headers";

describe("security headers", () => {
  it("a fresh 128-bit nonce each time", () => {
    const a = newNonce();
    expect(Buffer.from(a, "base64")).toHaveLength(16);
    expect(newNonce()).not.toBe(a);
  });

  it("the policy: scripts by nonce only, no framing, no plugins; 'unsafe-eval' only in development", () => {
    const csp = contentSecurityPolicy("abc");
    expect(csp).toBe(
      "default-src 'self'; script-src 'self' 'nonce-abc' 'strict-dynamic'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
    );
    expect(contentSecurityPolicy("abc", { dev: true })).toContain("'strict-dynamic' 'unsafe-eval';");
  });

  it("HSTS only over HTTPS: X-Forwarded-Proto https or an https PORTAL_URL", () => {
    expect(servedOverHttps(new Headers({ "x-forwarded-proto": "https" }), undefined)).toBe(true);
    expect(servedOverHttps(new Headers({ "x-forwarded-proto": "https, http" }), undefined)).toBe(true);
    expect(servedOverHttps(new Headers(), "https://portal.example.com")).toBe(true);
    expect(servedOverHttps(new Headers({ "x-forwarded-proto": "http" }), "http://localhost:3000")).toBe(false);
    expect(securityHeaders("n", { https: true })["Strict-Transport-Security"]).toBe(HSTS);
    expect(securityHeaders("n", { https: false })).not.toHaveProperty("Strict-Transport-Security");
  });
});
