import { describe, expect, it } from "vitest";
import { describeAuditEvent } from "./describe";

describe("describeAuditEvent", () => {
  it("names a license by its hint, customer and app, and links to the customers page", () => {
    const v = describeAuditEvent({
      action: "license.revoke",
      targetType: "license",
      targetLabel: "…a1B2",
      metadata: { customer: "Acme Corp", app: "acme-suite", reason: "contract ended" },
    });
    expect(v).toEqual({ verb: "Revoked license", target: "…a1B2 of Acme Corp for acme-suite", details: [["reason", "contract ended"]], href: "/customers" });
  });

  it("puts details in words: roles, times and empty values, never raw JSON", () => {
    const v = describeAuditEvent({ action: "member.role_change", targetType: "user", targetLabel: "ada@example.test", metadata: { from: "developer", to: "admin" } });
    expect(v.details).toEqual([["from", "Developer"], ["to", "Admin"]]);
    const token = describeAuditEvent({ action: "token.create", targetType: "token", targetLabel: "CI", metadata: { kind: "service", expiresAt: null, lastUsed: { at: "2026-01-02T03:04:05.000Z" } } });
    expect(token.details).toEqual([["kind", "service"], ["expires at", "never"], ["last used", "at 2026-01-02 03:04 UTC"]]);
    expect(JSON.stringify(token.details)).not.toContain("{");
  });

  it("links nowhere once the record is deleted, and keeps an unknown action as it is", () => {
    expect(describeAuditEvent({ action: "app.delete", targetType: "app", targetLabel: "suite", metadata: null }).href).toBeUndefined();
    expect(describeAuditEvent({ action: "future.thing", targetType: null, targetLabel: null, metadata: null })).toEqual({ verb: "future.thing", target: null, details: [] });
  });
});
