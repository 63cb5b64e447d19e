import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { toAppError } from "@/lib/server/to-app-error";
import { NUL_MESSAGE, nulCharacterPaths, parseInput } from "./parse";

describe("parseInput", () => {
  const schema = z.object({ name: z.string(), tags: z.array(z.string()).optional(), nested: z.object({ note: z.string() }).optional() });

  it("refuses a NUL character anywhere with 422 naming each field, before the schema runs", () => {
    const e = (() => {
      try {
        parseInput(schema, { name: "a\u0000b", tags: ["ok", "x\u0000"], nested: { note: "\u0000" } });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).status).toBe(422);
    expect((e as AppError).fields).toEqual({ name: NUL_MESSAGE, "nested.note": NUL_MESSAGE, "tags.1": NUL_MESSAGE });
  });

  it("finds keys with NUL, and survives deep nesting", () => {
    expect(nulCharacterPaths({ "a\u0000": 1 })).toEqual(["a\\u0000"]);
    let deep: unknown = "x\u0000";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(nulCharacterPaths(deep)).toHaveLength(1);
    expect(nulCharacterPaths({ name: "plain", n: 1, d: new Date(), nil: null })).toEqual([]);
  });

  it("passes clean input to the schema (its errors stay 422 with fields)", () => {
    expect(parseInput(schema, { name: "ok" })).toEqual({ name: "ok" });
    expect(() => parseInput(schema, { name: 1 })).toThrow(AppError);
  });
});

describe("toAppError", () => {
  it("maps PostgreSQL 22021 (also inside Prisma's driver-adapter error) to 422, not 500", () => {
    const prisma = Object.assign(new Error("Invalid invocation…"), {
      name: "PrismaClientKnownRequestError",
      code: "P2039",
      meta: { driverAdapterError: { cause: { originalCode: "22021", kind: "postgres" } } },
    });
    expect(toAppError(prisma).status).toBe(422);
    expect(toAppError(Object.assign(new Error("pg"), { code: "22021" })).status).toBe(422);
  });
});
