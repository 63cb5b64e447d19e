import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackupFileError, readBackupFile, writeBackupFile } from "./backup-file";
import { packDirectory, unpackDirectory } from "./backup-archive";

const header = {
  kind: "embedded-database" as const,
  createdAt: "2026-12-05T07:00:00.000Z",
  pglite: "0.5.14",
  postgres: "18.6",
  migrations: { count: 2, latest: "20261205070000_proxy_cache" },
  rows: { Team: 3 },
};

describe("backup file", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "portcullis-backup-file-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads back what was written, and the directory it packed, empty folders included", () => {
    const source = path.join(dir, "source");
    fs.mkdirSync(path.join(source, "base", "1"), { recursive: true });
    fs.mkdirSync(path.join(source, "pg_tblspc"));
    fs.writeFileSync(path.join(source, "PG_VERSION"), "18\n");
    fs.writeFileSync(path.join(source, "base", "1", "1259"), Buffer.alloc(8192, 7));
    const file = path.join(dir, "a.backup");
    writeBackupFile(file, header, packDirectory(source));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const read = readBackupFile(file);
    expect(read.header).toMatchObject(header);
    const copy = path.join(dir, "copy");
    unpackDirectory(read.snapshot, copy);
    expect(fs.readFileSync(path.join(copy, "PG_VERSION"), "utf8")).toBe("18\n");
    expect(fs.readFileSync(path.join(copy, "base", "1", "1259"))).toEqual(Buffer.alloc(8192, 7));
    expect(fs.readdirSync(path.join(copy, "pg_tblspc"))).toEqual([]);
  });

  it("refuses a file that is not a backup, and one whose content was altered", () => {
    const other = path.join(dir, "dump.sql");
    fs.writeFileSync(other, "CREATE TABLE t ();\n");
    expect(() => readBackupFile(other)).toThrow(new BackupFileError(`${other} is not a Portcullis backup (it does not start with "PORTCULLIS-BACKUP 1"; make one with \`portcullis backup FILE\`)`));

    const file = path.join(dir, "a.backup");
    writeBackupFile(file, header, Buffer.from("data directory"));
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 3]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    expect(() => readBackupFile(file)).toThrow(new BackupFileError(`${file} is damaged: its content does not match its checksum (truncated or altered)`));
  });

  it("refuses an archive entry that would leave the folder it is unpacked into", () => {
    const index = Buffer.from(JSON.stringify([{ path: "../escape", size: 1 }]));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(index.length, 0);
    expect(() => unpackDirectory(Buffer.concat([length, index, Buffer.from("x")]), path.join(dir, "target"))).toThrow("an entry leaves the directory: ../escape");
    expect(fs.existsSync(path.join(dir, "escape"))).toBe(false);
  });
});
