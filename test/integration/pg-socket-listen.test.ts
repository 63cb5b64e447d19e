import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgListener } from "@/lib/db/listen";
import { PgSocketServer } from "@/lib/db/pg-socket-server";

/**
 * LISTEN/NOTIFY through the embedded database's socket: PGlite is one backend, so its
 * notifications are routed by the server to the connections that listen on their channel,
 * delivered on commit only, and a client that goes away stops getting them.
 */

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 250 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe("PgSocketServer: LISTEN and NOTIFY", () => {
  let db: PGlite;
  let server: PgSocketServer;
  const clients: pg.Client[] = [];

  async function client(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: server.url });
    c.on("error", () => {});
    await c.connect();
    clients.push(c);
    return c;
  }

  async function listener(channel: string) {
    const c = await client();
    const got: string[] = [];
    c.on("notification", (n) => got.push(`${n.channel}:${n.payload}`));
    await c.query(`LISTEN ${channel}`);
    return { c, got };
  }

  beforeAll(async () => {
    db = await PGlite.create();
    server = new PgSocketServer(db);
    await server.start();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await server?.stop();
    await db?.close();
  });

  it("a notification reaches every connection listening on its channel, on commit only, and nobody else", async () => {
    const a = await listener("changes_a");
    const b = await listener("changes_a");
    const other = await listener("changes_other");
    const writer = await client();
    const quiet: string[] = [];
    writer.on("notification", (n) => quiet.push(n.payload ?? ""));

    await writer.query("BEGIN");
    await writer.query("SELECT pg_notify('changes_a', $1)", ["rolled back"]);
    await writer.query("ROLLBACK");
    await writer.query("BEGIN");
    await writer.query("SELECT pg_notify('changes_a', $1)", ["committed"]);
    expect(a.got).toEqual([]);
    await writer.query("COMMIT");
    await until(() => a.got.length > 0 && b.got.length > 0);
    expect(a.got).toEqual(["changes_a:committed"]);
    expect(b.got).toEqual(["changes_a:committed"]);
    expect(other.got).toEqual([]);
    expect(quiet).toEqual([]);
    // The writer's own answers were not disturbed.
    expect((await writer.query("SELECT 41 + 1 AS n")).rows).toEqual([{ n: 42 }]);
  });

  it("a listener that leaves gets nothing more; the others still do", async () => {
    const stays = await listener("changes_b");
    const leaves = await listener("changes_b");
    await leaves.c.end();
    const writer = await client();
    await writer.query("SELECT pg_notify('changes_b', 'after')");
    await until(() => stays.got.length > 0);
    expect(stays.got).toEqual(["changes_b:after"]);
    expect(leaves.got).toEqual([]);
  });

  it("PgListener: listens, and listens again after the server was restarted", async () => {
    const payloads: string[] = [];
    const states: boolean[] = [];
    const own = new PgSocketServer(db);
    await own.start();
    const port = own.port;
    let current = own;
    const l = new PgListener({ url: async () => current.url, channel: "changes_c", onNotification: (p) => payloads.push(p), onState: (s) => states.push(s), retry: { minMs: 20, maxMs: 100 } });
    l.start();
    try {
      await until(() => l.listening);
      const writer = await client();
      await writer.query("SELECT pg_notify('changes_c', 'one')");
      await until(() => payloads.length === 1);
      await own.stop();
      await until(() => !l.listening);
      current = new PgSocketServer(db, { port, password: own.password });
      await current.start();
      await until(() => l.listening);
      await writer.query("SELECT pg_notify('changes_c', 'two')");
      await until(() => payloads.length === 2);
      expect(payloads).toEqual(["one", "two"]);
      expect(states).toEqual([true, false, true]);
    } finally {
      await l.stop();
      await current.stop();
    }
  });
});
