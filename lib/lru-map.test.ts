import { describe, expect, it } from "vitest";
import { LruMap } from "./lru-map";

describe("LruMap", () => {
  it("drops the least recently used entry when full, one at a time", () => {
    const m = new LruMap<string, number>(3);
    m.set("a", 1);
    m.set("b", 2);
    m.set("c", 3);
    expect(m.get("a")).toBe(1); // a is now the most recently used
    m.set("d", 4); // b goes
    expect(m.size).toBe(3);
    expect(m.get("b")).toBeUndefined();
    expect([m.get("a"), m.get("c"), m.get("d")]).toEqual([1, 3, 4]);
    m.set("c", 30); // updating counts as a use: a is now the oldest
    m.set("e", 5);
    expect(m.get("a")).toBeUndefined();
    expect([m.get("c"), m.get("d"), m.get("e")]).toEqual([30, 4, 5]);
  });

  it("deletes; refuses a size that is not a positive integer", () => {
    const m = new LruMap<string, number>(2);
    m.set("a", 1);
    expect(m.delete("a")).toBe(true);
    expect(m.delete("a")).toBe(false);
    expect(m.size).toBe(0);
    expect(() => new LruMap(0)).toThrow(RangeError);
    expect(() => new LruMap(1.5)).toThrow(RangeError);
  });
});
