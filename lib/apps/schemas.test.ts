import { describe, expect, it } from "vitest";
import { createAppSchema } from "./schemas";
import { slugify } from "@/lib/apps/slug";

describe("slugify", () => {
  it.each([
    ["Acme Analytics", "acme-analytics"],
    ["  My App 2! ", "my-app-2"],
    ["Ünïcödé Café", "unicode-cafe"],
    ["a--b__c", "a-b-c"],
    ["x".repeat(60), "x".repeat(48)],
  ])("%s → %s", (name, slug) => expect(slugify(name)).toBe(slug));
});

describe("createAppSchema", () => {
  it("derives the slug when none is given and keeps an edited one", () => {
    expect(createAppSchema.parse({ name: "Foo Bar" })).toEqual({ name: "Foo Bar", slug: "foo-bar" });
    expect(createAppSchema.parse({ name: "Foo Bar", slug: "custom" })).toEqual({ name: "Foo Bar", slug: "custom" });
  });

  it.each(["UPPER", "has space", "-leading", "trailing-", "double--dash", "a", "ok/../etc"])("rejects slug %j", (slug) => {
    const r = createAppSchema.safeParse({ name: "n", slug });
    expect(r.success).toBe(false);
  });

  it("rejects a name that yields no slug", () => {
    expect(createAppSchema.safeParse({ name: "!!!" }).success).toBe(false);
  });
});
