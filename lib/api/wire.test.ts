import { describe, expect, it } from "vitest";
import { z } from "zod";
import { wireSchema } from "@/lib/api/wire";

const at = "2025-01-31T12:00:00.000Z";

describe("wireSchema", () => {
  it("sends every date as a date-time string, in nested objects, arrays, nullable and optional fields", () => {
    const dto = z.object({
      createdAt: z.date(),
      expiresAt: z.date().nullable(),
      lastSeen: z.date().optional(),
      items: z.array(z.object({ at: z.date(), note: z.string() })),
    });
    const wire = wireSchema(dto);

    expect(wire.parse({ createdAt: at, expiresAt: null, items: [{ at, note: "n" }] })).toEqual({ createdAt: at, expiresAt: null, items: [{ at, note: "n" }] });
    expect(wire.safeParse({ createdAt: new Date(at), expiresAt: null, items: [] }).success).toBe(false);
    expect(wire.safeParse({ createdAt: at, expiresAt: null, items: [{ at: new Date(at), note: "n" }] }).success).toBe(false);

    const json = z.toJSONSchema(wire) as { properties: Record<string, unknown> };
    expect(json.properties.createdAt).toEqual({ type: "string", format: "date-time", example: at });
    expect(json.properties.expiresAt).toEqual({ anyOf: [{ type: "string", format: "date-time", example: at }, { type: "null" }] });
    expect(json.properties.items).toMatchObject({ items: { properties: { at: { type: "string", format: "date-time" } } } });
  });

  it("keeps descriptions and examples, and leaves the DTO schema itself unchanged", () => {
    const dto = z
      .object({
        hint: z.string().meta({ description: "Last characters.", example: "ab12" }),
        revokedAt: z.date().nullable().meta({ description: "When it was revoked." }),
        at: z.date().meta({ description: "When." }),
      })
      .meta({ description: "A license." });
    const json = z.toJSONSchema(wireSchema(dto)) as { description: string; properties: Record<string, Record<string, unknown>> };

    expect(json.description).toBe("A license.");
    expect(json.properties.hint).toEqual({ type: "string", description: "Last characters.", example: "ab12" });
    expect(json.properties.revokedAt).toMatchObject({ description: "When it was revoked." });
    expect(json.properties.at).toEqual({ type: "string", format: "date-time", example: at, description: "When." });
    expect(dto.parse({ hint: "x", revokedAt: new Date(at), at: new Date(at) }).at).toBeInstanceOf(Date);
  });

  it("uses a named wire schema for a part that has one", () => {
    const item = z.object({ at: z.date() });
    const itemWire = wireSchema(item).meta({ id: "WireTestItem" });
    const wire = wireSchema(z.object({ items: z.array(item) }), new Map([[item, itemWire]]));

    expect(z.toJSONSchema(wire)).toMatchObject({ properties: { items: { items: { $ref: "#/$defs/WireTestItem" } } } });
  });

  it("uses a part without dates as it is, named or not", () => {
    const manifest = z.object({ digest: z.string() }).meta({ id: "WireTestManifest" });
    const dto = z.object({ at: z.date(), manifest: manifest.optional() });

    expect(wireSchema(manifest)).toBe(manifest);
    expect(z.toJSONSchema(wireSchema(dto))).toMatchObject({ properties: { manifest: { $ref: "#/$defs/WireTestManifest" } } });
  });
});
