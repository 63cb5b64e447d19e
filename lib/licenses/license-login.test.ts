import { describe, expect, it } from "vitest";
import { generateLicenseId } from "./license-id";
import { licenseIdSchema } from "./license-id-schema";
import { isLicenseUsername, LICENSE_USERNAME, licenseBasicCredentials, looksLikeLicenseId } from "./license-login";

describe("the license login", () => {
  it("takes LICENSE_ID in any ASCII case as the user name, nothing else", () => {
    for (const u of ["LICENSE_ID", "license_id", "License_Id"]) expect(isLicenseUsername(u), u).toBe(true);
    for (const u of ["LICENSE_ID ", " LICENSE_ID", "LICENSE-ID", "LICENSE_IDS", "lıcense_ıd", "", "token"]) expect(isLicenseUsername(u), u).toBe(false);
  });

  it("recognises every generated license ID, and the predicate and the zod schema agree", () => {
    for (let i = 0; i < 50; i++) {
      const id = generateLicenseId();
      expect(looksLikeLicenseId(id), id).toBe(true);
      expect(licenseIdSchema.safeParse(id).success, id).toBe(true);
    }
    for (const v of ["", "x", "A".repeat(19), "A".repeat(65), `${"A".repeat(26)}/`, `${"A".repeat(26)}=`, `${"A".repeat(26)} `, `${"A".repeat(20)}../x`]) {
      expect(looksLikeLicenseId(v), v).toBe(false);
      expect(licenseIdSchema.safeParse(v).success, v).toBe(false);
    }
    for (const v of ["A".repeat(20), "A".repeat(64), "a-b_c".repeat(5)]) expect(looksLikeLicenseId(v), v).toBe(true);
  });

  it("writes the Basic credentials the proxy and the hosted registry read", () => {
    expect(Buffer.from(licenseBasicCredentials("2kq9VhBOBx3yCn4Zr8dTQWmJp0a"), "base64").toString()).toBe(`${LICENSE_USERNAME}:2kq9VhBOBx3yCn4Zr8dTQWmJp0a`);
  });
});
