import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgSocketServer } from "@/lib/db/pg-socket-server";
import { RawPgClient, bind, dataRows, errors, execute, parse, query, sync } from "@/test/support/pg-raw";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Client A stops between Bind and Sync; meanwhile client B runs a whole unit on the unnamed
 * statement. Returns what each got.
 */
async function interleavedUnnamedStatements(port: number, password?: string) {
  const a = await RawPgClient.connect(port, password);
  const b = await RawPgClient.connect(port, password);
  try {
    a.send(parse("SELECT $1::text AS v"), bind("from a"));
    await sleep(100);
    b.send(parse("SELECT 'from b'::text AS v"), bind(), execute(), sync());
    await sleep(300);
    const bAnsweredWhileAWasMidUnit = b.hasReady();
    a.send(execute(), sync());
    const aRows = dataRows(await a.readUntilReady());
    const bRows = dataRows(await b.readUntilReady());
    return { aRows, bRows, bAnsweredWhileAWasMidUnit };
  } finally {
    a.destroy();
    b.destroy();
  }
}

describe("PgSocketServer", () => {
  let db: PGlite;
  let server: PgSocketServer;
  let url: string;

  beforeAll(async () => {
    db = await PGlite.create();
    server = new PgSocketServer(db);
    await server.start();
    url = server.url;
    await db.exec("CREATE TABLE item (id int PRIMARY KEY, owner text NOT NULL)");
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it("the interleaving is a real hazard: the stock PGLiteSocketServer loses A's portal", async () => {
    const other = await PGlite.create();
    const stock = new PGLiteSocketServer({ db: other, port: 0, host: "127.0.0.1", maxConnections: 10 });
    await stock.start();
    try {
      const result = await interleavedUnnamedStatements((stock as unknown as { port: number }).port);
      expect(result.bAnsweredWhileAWasMidUnit).toBe(true);
      expect(result.aRows).not.toEqual([["from a"]]);
    } finally {
      await stock.stop();
      await other.close();
    }
  });

  it("keeps a connection's extended-protocol unit whole: others wait until its Sync", async () => {
    const result = await interleavedUnnamedStatements(server.port, server.password);
    expect(result.bAnsweredWhileAWasMidUnit).toBe(false);
    expect(result.aRows).toEqual([["from a"]]);
    expect(result.bRows).toEqual([["from b"]]);
  });

  it("two pg.Pools: concurrent parameterized queries and interactive transactions with rollback", async () => {
    const pools = [new pg.Pool({ connectionString: url, max: 4 }), new pg.Pool({ connectionString: url, max: 4 })];
    try {
      const queries = Array.from({ length: 80 }, (_, i) =>
        pools[i % 2]!.query("SELECT $1::int AS n, $2::text AS s, $3::int[] AS arr", [i, `text ${i}`, [i, i + 1]]).then((r) => {
          expect(r.rows).toEqual([{ n: i, s: `text ${i}`, arr: [i, i + 1] }]);
        }),
      );
      const transactions = Array.from({ length: 30 }, async (_, i) => {
        const client = await pools[i % 2]!.connect();
        try {
          await client.query("BEGIN");
          await client.query("INSERT INTO item (id, owner) VALUES ($1, $2)", [i, `pool ${i % 2}`]);
          await sleep(Math.random() * 5); // give the others every chance to cut in
          const mine = await client.query("SELECT owner FROM item WHERE id = $1", [i]);
          expect(mine.rows).toEqual([{ owner: `pool ${i % 2}` }]);
          const visible = await client.query<{ id: number }>("SELECT id FROM item ORDER BY id");
          // Inside a transaction only committed rows plus its own are visible: never another's open one.
          for (const row of visible.rows) expect(row.id === i || row.id % 3 !== 0).toBe(true);
          await client.query(i % 3 === 0 ? "ROLLBACK" : "COMMIT");
        } finally {
          client.release();
        }
      });
      // A transaction that fails half-way: its error must not leak into the next unit.
      const failing = (async () => {
        const client = await pools[0]!.connect();
        try {
          await client.query("BEGIN");
          await expect(client.query("SELECT 1/0")).rejects.toThrow(/division by zero/);
          await expect(client.query("SELECT 1")).rejects.toThrow(/current transaction is aborted/);
          await client.query("ROLLBACK");
          expect((await client.query("SELECT 2 AS two")).rows).toEqual([{ two: 2 }]);
        } finally {
          client.release();
        }
      })();
      await Promise.all([...queries, ...transactions, failing]);
      const { rows } = await pools[1]!.query<{ id: number }>("SELECT id FROM item ORDER BY id");
      expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 3 !== 0));
      expect(db.isInTransaction()).toBe(false);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it("rolls back and releases when a client disconnects mid-transaction", async () => {
    const quitter = new pg.Client(url);
    await quitter.connect();
    await quitter.query("BEGIN");
    await quitter.query("INSERT INTO item (id, owner) VALUES (1000, 'quitter')");
    quitter.on("error", () => {});
    (quitter as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();

    const other = new pg.Client(url);
    await other.connect();
    try {
      const { rows } = await other.query("SELECT count(*)::int AS n FROM item WHERE id = 1000");
      expect(rows).toEqual([{ n: 0 }]);
      expect(db.isInTransaction()).toBe(false);
    } finally {
      await other.end();
    }
  });

  it("recovers when a client vanishes between an extended-protocol error and its Sync", async () => {
    const raw = await RawPgClient.connect(server.port, server.password);
    raw.send(parse("SELEKT broken"), bind(), execute()); // error; the backend now skips to Sync
    await sleep(100);
    raw.destroy();

    const next = await RawPgClient.connect(server.port, server.password);
    try {
      next.send(parse("SELECT $1::text AS v"), bind("fine"), execute(), sync());
      const reply = await next.readUntilReady();
      expect(errors(reply)).toEqual([]);
      expect(dataRows(reply)).toEqual([["fine"]]);
      next.send(query("SELECT 'simple' AS v"));
      expect(dataRows(await next.readUntilReady())).toEqual([["simple"]]);
    } finally {
      next.destroy();
    }
  });

  it("terminates a client idle in a transaction, so it cannot block the others forever", async () => {
    const strict = new PgSocketServer(db, { idleInTransactionTimeoutMs: 300 });
    await strict.start();
    const strictUrl = strict.url;
    try {
      const idle = new pg.Client(strictUrl);
      const idleError = new Promise<Error>((resolve) => idle.on("error", resolve));
      await idle.connect();
      await idle.query("BEGIN");
      await idle.query("INSERT INTO item (id, owner) VALUES (2000, 'idle')");

      const other = new pg.Client(strictUrl);
      await other.connect(); // waits for the lock until the idle one is thrown out
      try {
        expect((await other.query("SELECT count(*)::int AS n FROM item WHERE id = 2000")).rows).toEqual([{ n: 0 }]);
      } finally {
        await other.end();
      }
      expect((await idleError).message).toMatch(/idle-in-transaction timeout/);
    } finally {
      await strict.stop();
    }
  });

  it("refuses a client with a wrong password or none (FATAL 28P01) before it reaches the database", async () => {
    await db.exec("CREATE TABLE IF NOT EXISTS account (id int PRIMARY KEY, password_hash text NOT NULL)");
    await db.exec("INSERT INTO account VALUES (1, 'real-hash') ON CONFLICT DO NOTHING");
    for (const credentials of ["attacker:wrong-password", "postgres:wrong-password", "postgres"]) {
      const attacker = new pg.Client(`postgresql://${credentials}@127.0.0.1:${server.port}/postgres`);
      attacker.on("error", () => {});
      const refused = await attacker.connect().then(
        () => attacker.query("UPDATE account SET password_hash = 'attacker' WHERE id = 1").then(() => null),
        (e: unknown) => e,
      );
      await attacker.end().catch(() => {});
      expect(refused, credentials).toBeInstanceOf(Error);
      if (credentials.includes(":")) expect(refused, credentials).toMatchObject({ code: "28P01" });
    }
    const wrong = await RawPgClient.connect(server.port, "wrong-password").catch((e: unknown) => e);
    expect(String(wrong)).toMatch(/password authentication failed for user "postgres"/);
    // A client that skips authentication and sends its query right after the startup message.
    const skipper = net.connect({ host: "127.0.0.1", port: server.port });
    const answer: Buffer[] = [];
    skipper.on("data", (chunk) => answer.push(chunk));
    const ended = new Promise((resolve) => skipper.on("close", resolve));
    const params = Buffer.from("user\0postgres\0database\0postgres\0\0");
    const head = Buffer.alloc(8);
    head.writeInt32BE(8 + params.length, 0);
    head.writeInt32BE(196608, 4);
    skipper.write(Buffer.concat([head, params, query("UPDATE account SET password_hash = 'attacker' WHERE id = 1")]));
    await ended;
    const text = Buffer.concat(answer).toString("latin1");
    expect(text).toContain("SCRAM-SHA-256"); // asked to authenticate…
    expect(text).toContain("C08P01"); // …and closed with a protocol error, nothing run
    expect(text).not.toContain("UPDATE 1");
    expect((await db.query<{ password_hash: string }>("SELECT password_hash FROM account WHERE id = 1")).rows).toEqual([
      { password_hash: "real-hash" },
    ]);
    // The right password works.
    const owner = new pg.Client(server.url);
    await owner.connect();
    expect((await owner.query("SELECT password_hash FROM account WHERE id = 1")).rows).toEqual([{ password_hash: "real-hash" }]);
    await owner.end();
  });

  it("listens on 127.0.0.1 only", () => {
    expect(server.host).toBe("127.0.0.1");
    const address = (server as unknown as { server: import("node:net").Server }).server.address();
    expect(address).toMatchObject({ address: "127.0.0.1" });
  });
});
