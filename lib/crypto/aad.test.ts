import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildAAD, canonicalContext } from "./aad";

const ids = { teamId: "team-a", recordId: "reg-1", field: "password", purpose: "registry-credential" };

describe("associated data", () => {
  it("has a frozen canonical byte form (changing it orphans every stored secret)", () => {
    const { bytes, context } = buildAAD(ids);
    expect(context).toEqual(ids);
    expect(bytes.subarray(0, 24).toString("hex")).toBe(
      Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from("portcullis/secret/v1")]).toString("hex"),
    );
    // Golden value (checked against an independent Python implementation of the layout). If it
    // changes, INVARIANTS.md says: new format version instead.
    expect(crypto.createHash("sha256").update(bytes).digest("hex")).toBe(
      "206eae47f307917b5ab9ea24b18f8efce46947d1f27b9ef224842ad245bbd8ee",
    );
  });

  it("does not depend on property order and is the same bytes providers get from the context", () => {
    const reordered = { purpose: ids.purpose, field: ids.field, recordId: ids.recordId, teamId: ids.teamId };
    expect(buildAAD(reordered).bytes).toEqual(buildAAD(ids).bytes);
    expect(canonicalContext(buildAAD(ids).context)).toEqual(buildAAD(ids).bytes);
  });

  it("is injective: moving a separator between fields gives different bytes", () => {
    const a = buildAAD({ ...ids, teamId: "a:b", recordId: "c" }).bytes;
    const b = buildAAD({ ...ids, teamId: "a", recordId: "b:c" }).bytes;
    const c = buildAAD({ ...ids, teamId: "a\u0000", recordId: "c" }).bytes;
    expect(a.equals(b)).toBe(false);
    expect(a.equals(c)).toBe(false);
  });

  it("only takes the four ids, and refuses empty or oversized ones", () => {
    const extra = { ...ids, tenant: "x" } as typeof ids;
    expect(buildAAD(extra).context).toEqual(ids);
    expect(() => buildAAD({ ...ids, teamId: "" })).toThrow(/teamId/);
    expect(() => buildAAD({ ...ids, field: undefined as unknown as string })).toThrow(/field/);
    expect(() => buildAAD({ ...ids, recordId: "x".repeat(257) })).toThrow(/recordId/);
  });
});
