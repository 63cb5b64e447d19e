import { describe, expect, it } from "vitest";
import { credentialsWork, testVerdict } from "./test-verdict";

const ok = (name: string, status?: number) => ({ name, ok: true, status, detail: "" });
const bad = (name: string, status?: number) => ({ name, ok: false, status, detail: "" });
const reached = [ok("Resolve host"), ok("Connect (TLS)"), ok("GET /v2/", 401), ok("Authenticate (Basic)", 200)];

describe("testVerdict", () => {
  it("passes a test whose every step passed", () => {
    expect(testVerdict({ ok: true, steps: [...reached, ok("Manifest app:1.0", 200)] })).toBe("passed");
  });

  it("keeps the registry connected when only the image is missing (a mistyped tag)", () => {
    const test = { ok: false, steps: [...reached, bad("Manifest app:9.9", 404)] };
    expect(testVerdict(test)).toBe("image-failed");
    expect(credentialsWork(test)).toBe(true);
  });

  it("fails the registry when the credentials are refused, at sign-in or for the image", () => {
    expect(testVerdict({ ok: false, steps: [...reached.slice(0, 3), bad("Authenticate (Basic)", 401)] })).toBe("failed");
    expect(testVerdict({ ok: false, steps: [...reached, bad("Manifest app:1.0", 403)] })).toBe("failed");
    expect(credentialsWork({ ok: false, steps: [bad("Resolve host")] })).toBe(false);
    expect(credentialsWork(null)).toBe(false);
  });
});
