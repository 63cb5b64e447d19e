import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { migrationSlug, readMigrations, timestamp } from "./migrations";

describe("migration names", () => {
  it("are Prisma's: UTC YYYYMMDDHHMMSS and a lowercase slug", () => {
    expect(timestamp(new Date(Date.UTC(2025, 0, 2, 3, 4, 5)))).toBe("20250102030405");
    expect(migrationSlug(" Add registry-credentials! ")).toBe("add_registry_credentials");
    expect(() => migrationSlug("!!!")).toThrow(/invalid migration name/);
  });
});

describe("readMigrations", () => {
  it("lists migration folders in name order with their SQL and the lock file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-mig-"));
    try {
      for (const name of ["20250102000000_b", "20250101000000_a"]) {
        fs.mkdirSync(path.join(dir, name));
        fs.writeFileSync(path.join(dir, name, "migration.sql"), `-- ${name}`);
      }
      fs.mkdirSync(path.join(dir, "not_a_migration"));
      fs.writeFileSync(path.join(dir, "migration_lock.toml"), 'provider = "postgresql"\n');
      const list = readMigrations(dir);
      expect(list.lockfile.content).toContain("postgresql");
      expect(list.migrationDirectories.map((d) => [d.path, d.migrationFile.content])).toEqual([
        ["20250101000000_a", { tag: "ok", value: "-- 20250101000000_a" }],
        ["20250102000000_b", { tag: "ok", value: "-- 20250102000000_b" }],
      ]);
      expect(readMigrations(path.join(dir, "missing")).migrationDirectories).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
