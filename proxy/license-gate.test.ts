import { describe, expect, it } from "vitest";
import { licenseFromAuthorization } from "./license-gate";

const basic = (s: string) => `Basic ${Buffer.from(s).toString("base64")}`;
const id = "abcdefghijklmnopqrstuvwxyz0";

describe("licenseFromAuthorization", () => {
  it("reads LICENSE_ID:<id> (user name in any case)", () => {
    expect(licenseFromAuthorization(basic(`LICENSE_ID:${id}`))).toEqual({ kind: "license", licenseId: id });
    expect(licenseFromAuthorization(basic(`license_id:${id}`))).toEqual({ kind: "license", licenseId: id });
  });
  it("uses the hosted registry's rule for the user name: ASCII case only", () => {
    expect(licenseFromAuthorization(basic(`License_Id:${id}`))).toEqual({ kind: "license", licenseId: id });
    expect(licenseFromAuthorization(basic(`lıcense_ıd:${id}`))).toEqual({ kind: "invalid" });
  });
  it("tells missing from unusable credentials", () => {
    expect(licenseFromAuthorization(undefined)).toEqual({ kind: "none" });
    for (const h of [basic(`admin:${id}`), basic(`LICENSE_ID:short`), basic("LICENSE_ID"), `Bearer ${id}`, "Basic !!!", basic(`LICENSE_ID:${id}/../x`), `Basic ${"A".repeat(5000)}`]) {
      expect(licenseFromAuthorization(h), h.slice(0, 40)).toEqual({ kind: "invalid" });
    }
  });
});
