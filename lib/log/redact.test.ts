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

  it("keeps only the database's message of a Prisma error, not the invocation with its arguments", () => {
    const e = Object.assign(new Error("\nInvalid `db.user.findFirst()` invocation in\n/app/lib/x.ts:7:21\n\n→ 7 db.user.findFirst({ where: { email: \"victim@example.com\" } })\ninvalid byte sequence"), {
      name: "PrismaClientKnownRequestError",
      code: "P2039",
      meta: { driverAdapterError: { cause: { originalCode: "22021", originalMessage: 'invalid byte sequence for encoding "UTF8": 0x00' } } },
    });
    const line = describeForLog(e);
    expect(line).toBe('PrismaClientKnownRequestError P2039: 22021 invalid byte sequence for encoding "UTF8": 0x00');
    const validation = Object.assign(new Error("\nInvalid `db.team.create()` invocation in\n/app/x.ts:7:21\n  name: \"secret value\"\nUnknown argument `slug`."), { name: "PrismaClientValidationError" });
    expect(describeForLog(validation)).toBe("PrismaClientValidationError: Unknown argument `slug`.");
  });
});
