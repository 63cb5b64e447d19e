import { describe, expect, it } from "vitest";
import { describeForLog, redactSecrets } from "./redact";

describe("redactSecrets", () => {
  it.each([
    ["connect postgresql://app:s3cr3t@db:5432/x failed", "s3cr3t"],
    ["connection to db-internal.corp:5432 refused, password=hunter2", "hunter2"],
    ['{"password":"hunter2","user":"a"}', "hunter2"],
    ["Authorization: Bearer abcdefghijklmnop", "abcdefghijklmnop"],
    ["Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="],
    ["token pcs_0123456789abcdefghij leaked", "pcs_0123456789abcdefghij"],
    ["AWS secretAccessKey=wJalrXUtnFEMI/K7MDENG", "wJalrXUtnFEMI/K7MDENG"],
  ])("removes the secret from %j", (text, secret) => {
    const out = redactSecrets(text);
    expect(out).not.toContain(secret);
    expect(out).toContain("***");
  });

  it("keeps ordinary text", () => {
    expect(redactSecrets("manifest unknown for acme/api:1.2 at 127.0.0.1:5000")).toBe("manifest unknown for acme/api:1.2 at 127.0.0.1:5000");
  });

  it("describes errors by name and scrubbed message", () => {
    expect(describeForLog(new TypeError("bad password=x1y2"))).toBe("TypeError: bad password=***");
  });
});
