import { describe, expect, it } from "vitest";
import { cacheSettingsSchema } from "@/lib/cache/schemas";
import { cacheSettingsFormSchema, capFields, staleHours } from "./cache-settings-form";

const form = (over: Record<string, string> = {}) => ({ id: "4f1c2a9e-58a4-4d8e-9f55-3c3a8b1d2e10", enabled: "on", maxSize: "", maxSizeUnit: "GiB", maxStaleHours: "24", ...over });
const fieldsOf = (raw: unknown) => {
  const r = cacheSettingsFormSchema.safeParse(raw);
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [String(i.path[0]), i.message]));
};

describe("the cache settings form", () => {
  it("turns a cap with its unit and the stale bound in hours into the settings operation's bytes and seconds", () => {
    const parsed = cacheSettingsFormSchema.parse(form({ maxSize: "1.5", maxSizeUnit: "GiB", maxStaleHours: "0.5" }));
    expect(parsed).toEqual({ id: form().id, enabled: true, maxBytes: 1.5 * 1024 ** 3, maxStaleSeconds: 1800 });
    // What the form gives, the operation takes.
    expect(cacheSettingsSchema.safeParse(parsed).success).toBe(true);
    expect(cacheSettingsFormSchema.parse(form({ maxSize: "300", maxSizeUnit: "MiB" })).maxBytes).toBe(300 * 1024 ** 2);
    expect(cacheSettingsFormSchema.parse(form({ maxSize: "0,5", maxSizeUnit: "TiB" })).maxBytes).toBe(512 * 1024 ** 3);
  });

  it("reads an empty cap as no cap, and an unchecked switch (absent) as off", () => {
    const { enabled: _, ...off } = form();
    expect(cacheSettingsFormSchema.parse({ ...off, maxSize: "  " })).toMatchObject({ enabled: false, maxBytes: null });
  });

  it("names the field of each mistake", () => {
    expect(fieldsOf(form({ maxSize: "20GB" }))).toEqual({ maxSize: expect.stringContaining("as a number") });
    expect(fieldsOf(form({ maxSize: "-1" }))).toEqual({ maxSize: expect.stringContaining("as a number") });
    expect(fieldsOf(form({ maxSize: "0.5", maxSizeUnit: "MiB" }))).toEqual({ maxSize: "The cap must be at least 1 MiB." });
    expect(fieldsOf(form({ maxSizeUnit: "GB" }))).toEqual({ maxSizeUnit: "Choose MiB, GiB or TiB." });
    expect(fieldsOf(form({ maxStaleHours: "" }))).toEqual({ maxStaleHours: expect.stringContaining("hours") });
    expect(fieldsOf(form({ maxStaleHours: "721" }))).toEqual({ maxStaleHours: expect.stringContaining("720") });
    expect(fieldsOf(form({ maxStaleHours: "720" }))).toEqual({});
  });

  it("shows a stored cap in the largest unit that holds it exactly, and the stale bound in hours", () => {
    expect(capFields(null)).toEqual({ maxSize: "", maxSizeUnit: "GiB" });
    expect(capFields(10 * 1024 ** 3)).toEqual({ maxSize: "10", maxSizeUnit: "GiB" });
    expect(capFields(1536 * 1024 ** 2)).toEqual({ maxSize: "1.5", maxSizeUnit: "GiB" });
    expect(capFields(2 * 1024 ** 4)).toEqual({ maxSize: "2", maxSizeUnit: "TiB" });
    expect(capFields(300 * 1024 ** 2)).toEqual({ maxSize: "300", maxSizeUnit: "MiB" });
    for (const bytes of [10 * 1024 ** 3, 1536 * 1024 ** 2, 300 * 1024 ** 2, 2 * 1024 ** 4]) {
      expect(cacheSettingsFormSchema.parse(form(capFields(bytes))).maxBytes).toBe(bytes);
    }
    expect(staleHours(86_400)).toBe("24");
    expect(staleHours(5400)).toBe("1.5");
  });
});
