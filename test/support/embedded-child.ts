/**
 * A separate process for the embedded-database lock tests:
 *
 *   node --import tsx test/support/embedded-child.ts <hold|visit> <dataDir> [name]
 *
 * Opens the embedded database in dataDir, inserts a row `name` into table `note` and prints one
 * JSON line: {pid, owner, url, pgliteOpened, notes}. `pgliteOpened` counts PGlite.create calls in
 * this process: a process that reaches the database through another must report 0. `visit`
 * then closes and exits; `hold` keeps serving until its stdin ends (or a signal arrives).
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { openEmbeddedDatabase } from "@/lib/db/embedded";

const [mode, dataDir, name = `${process.argv[2]}-${process.pid}`] = process.argv.slice(2);
if ((mode !== "hold" && mode !== "visit") || !dataDir) {
  console.error("usage: embedded-child.ts <hold|visit> <dataDir> [name]");
  process.exit(2);
}

let pgliteOpened = 0;
const create = PGlite.create.bind(PGlite);
PGlite.create = ((...args: Parameters<typeof PGlite.create>) => {
  pgliteOpened++;
  return create(...args);
}) as typeof PGlite.create;

const embedded = await openEmbeddedDatabase(dataDir, { waitMs: 90_000 });
const client = new pg.Client(embedded.url);
await client.connect();
await client.query("CREATE TABLE IF NOT EXISTS note (id serial PRIMARY KEY, name text NOT NULL)");
await client.query("INSERT INTO note (name) VALUES ($1)", [name]);
const { rows } = await client.query<{ name: string }>("SELECT name FROM note ORDER BY id");
await client.end();
console.log(JSON.stringify({ pid: process.pid, owner: embedded.owner, url: embedded.url, pgliteOpened, notes: rows.map((r) => r.name) }));

if (mode === "visit") {
  await embedded.close();
} else {
  process.stdin.resume();
  process.stdin.on("end", () => void embedded.close());
}
