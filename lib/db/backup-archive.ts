import fs from "node:fs";
import path from "node:path";

/**
 * A data directory as one buffer: a 4-byte length, a JSON index of its entries (directories
 * included: PostgreSQL needs its empty ones), then the files' bytes in index order. Reading the
 * files is plain file I/O, so the copy takes as little time as the disk allows.
 */
interface Entry {
  path: string;
  dir?: true;
  size?: number;
}

export function packDirectory(root: string): Buffer {
  const entries: Entry[] = [];
  const contents: Buffer[] = [];
  const walk = (rel: string) => {
    for (const d of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        entries.push({ path: p, dir: true });
        walk(p);
      } else if (d.isFile()) {
        const bytes = fs.readFileSync(path.join(root, p));
        entries.push({ path: p, size: bytes.length });
        contents.push(bytes);
      }
    }
  };
  walk("");
  const index = Buffer.from(JSON.stringify(entries), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(index.length, 0);
  return Buffer.concat([length, index, ...contents]);
}

/** Writes a packed directory into `root` (created, mode 0700; it must not exist). */
export function unpackDirectory(packed: Buffer, root: string): void {
  const length = packed.readUInt32BE(0);
  const entries = JSON.parse(packed.subarray(4, 4 + length).toString("utf8")) as Entry[];
  fs.mkdirSync(root, { mode: 0o700 });
  let offset = 4 + length;
  for (const e of entries) {
    const target = path.resolve(root, e.path);
    if (!target.startsWith(path.resolve(root) + path.sep)) throw new Error(`an entry leaves the directory: ${e.path}`);
    if (e.dir) fs.mkdirSync(target, { recursive: true, mode: 0o700 });
    else {
      const end = offset + (e.size ?? 0);
      if (end > packed.length) throw new Error("the archive is shorter than its index");
      fs.writeFileSync(target, packed.subarray(offset, end), { mode: 0o600 });
      offset = end;
    }
  }
}
