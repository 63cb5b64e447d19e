import { describe, expect, it } from "vitest";
import { can } from "./permissions";

describe("roles", () => {
  it("grant read to all, write to developers and admins, admin to admins only", () => {
    expect([can("read_only", "read"), can("read_only", "write"), can("read_only", "admin")]).toEqual([true, false, false]);
    expect([can("developer", "read"), can("developer", "write"), can("developer", "admin")]).toEqual([true, true, false]);
    expect([can("admin", "read"), can("admin", "write"), can("admin", "admin")]).toEqual([true, true, true]);
  });
});
