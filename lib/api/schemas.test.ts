import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appDeletedSchema, appSchema, customerSchema, licenseSchema, licenseWithIdSchema, registrySchema, registryTestSchema } from "@/lib/api/schemas";
import { appDeletedDtoSchema, appDtoSchema } from "@/lib/apps/dto";
import { licenseDtoSchema, licenseWithIdDtoSchema } from "@/lib/licenses/dto";
import { customerDtoSchema } from "@/lib/customers/dto";
import { registryDtoSchema, registryTestResultSchema } from "@/lib/registries/dto";

const pairs = [
  ["App", appDtoSchema, appSchema],
  ["AppDeleted", appDeletedDtoSchema, appDeletedSchema],
  ["License", licenseDtoSchema, licenseSchema],
  ["LicenseWithId", licenseWithIdDtoSchema, licenseWithIdSchema],
  ["Customer", customerDtoSchema, customerSchema],
  ["Registry", registryDtoSchema, registrySchema],
  ["RegistryTest", registryTestResultSchema, registryTestSchema],
] as const;

describe("REST response schemas", () => {
  it.each(pairs)("%s answers every field of its DTO", (_name, dto, rest) => {
    expect(Object.keys(rest.shape)).toEqual(Object.keys(dto.shape));
  });

  it("sends the DTOs' dates as date-time strings", () => {
    const at = "2025-01-31T12:00:00.000Z";
    const license = { id: crypto.randomUUID(), customerId: crypto.randomUUID(), appId: crypto.randomUUID(), appSlug: "a", appName: "A", type: "paid", status: "active", hint: "ab12", expiresAt: null, revokedAt: at, createdAt: at };

    expect(licenseSchema.parse(license)).toEqual(license);
    expect(licenseSchema.safeParse({ ...license, createdAt: new Date(at) }).success).toBe(false);
    expect(z.toJSONSchema(appSchema)).toMatchObject({ $defs: { App: { properties: { createdAt: { type: "string", format: "date-time" } } } } });
  });
});
