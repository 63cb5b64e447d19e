import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { INTERNAL_API } from "@/lib/internal/contract";
import { invoke } from "@/lib/server/operation";
import { createServiceAccount } from "@/lib/tokens/operations";
import type { ProxyServer } from "@/proxy/server";
import { apiRequest } from "@/test/support/api";
import { createCustomerRow, createLicense, createTenant, memberContext, type Tenant } from "@/test/support/factories";
import { licenseAuth, rawRequest } from "@/test/support/proxy";
import { proxyFixture, until } from "@/test/support/proxy-fixture";

/**
 * Refused attempts are stored by count, so a batch stored twice would count them twice. When the
 * portal stores a batch but the proxy never gets the answer — the connection cut after the
 * portal's commit — the proxy sends the batch again under the same id, or a proxy restarted
 * later delivers it from the spool file; either way the activity list and the analytics a vendor
 * reads count every attempt once.
 */

/** In front of the portal's internal API: passes requests through, and for pull-log batches can let the portal store them, then cut the connection before the answer. */
interface LossyFront {
  url: string;
  /** The next this-many pull-log batches are stored by the portal and their answers lost. */
  loseAnswers: number;
  /** The batch id of every pull-log batch that reached the portal, in order. */
  readonly batchIds: string[];
  close(): Promise<void>;
}

async function startLossyFront(target: string): Promise<LossyFront> {
  const to = new URL(target);
  const front: LossyFront = { url: "", loseAnswers: 0, batchIds: [], close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const batch = req.url === INTERNAL_API.pullEvents;
      if (batch) front.batchIds.push((JSON.parse(body.toString()) as { batchId: string }).batchId);
      const up = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
        const answer: Buffer[] = [];
        upRes.on("data", (c: Buffer) => answer.push(c));
        upRes.on("end", () => {
          if (batch && front.loseAnswers > 0) {
            front.loseAnswers--;
            return void req.socket.destroy();
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.end(Buffer.concat(answer));
        });
      });
      up.on("error", () => req.socket.destroy());
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  front.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return front;
}

describe("pull log: a batch whose answer was lost is counted once", () => {
  const fx = proxyFixture();
  let tenant: Tenant;
  let token: string;
  let front: LossyFront;
  let work: string;

  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), "pull-log-once-"));
    tenant = await createTenant(fx.db, { slug: "once" });
    const admin = await memberContext(fx.db, { role: "admin", teamId: tenant.teamId });
    token = (await invoke(createServiceAccount, admin, { name: "reports", role: "read_only" })).token;
    front = await startLossyFront(fx.api.url);
    return async () => {
      await front?.close();
      if (work) await fs.rm(work, { recursive: true, force: true });
    };
  });

  /** A customer with a revoked license: every attempt of it is refused. */
  async function revokedCustomer(name: string) {
    const customer = await createCustomerRow(fx.db, tenant.teamId, name);
    const license = await createLicense(fx.db, { ...tenant, customerId: customer.id });
    await fx.db.license.update({ where: { id: license.id }, data: { revokedAt: new Date() } });
    return { customerId: customer.id, authorization: licenseAuth(license.licenseId) };
  }

  /** No refusal limit, no cache, no change stream: every attempt is refused by the portal's answer and logged; the pull log retries at once. */
  const startProxy = (spoolFile?: string) =>
    fx.startProxy({ portalUrl: front.url, changeFeed: false, refusalLimit: { maxRefusals: 0 }, cache: { enabled: false }, pullLog: { flushIntervalMs: 50, maxBackoffMs: 100, ...(spoolFile && { spoolFile }) } });

  /** `times` attempts at each of `references`, every one refused. */
  async function attempt(url: string, authorization: string, references: string[], times: number): Promise<number> {
    let refused = 0;
    for (let i = 0; i < times; i++) {
      const answers = await Promise.all(references.map((ref) => rawRequest(`${url}/v2/proxy/once/vendor/acme/app/manifests/${ref}`, { headers: { authorization } })));
      refused += answers.filter((r) => r.status === 401).length;
    }
    return refused;
  }

  /** What the vendor reads: the refused attempts in the analytics, and the counts of the activity list's entries. */
  async function countsShown(customerId: string) {
    const analytics = await apiRequest("GET", `/api/v1/customers/${customerId}/analytics?days=1`, { token });
    expect(analytics.status).toBe(200);
    const activity = await apiRequest("GET", `/api/v1/activity?customerId=${customerId}&result=refused&pageSize=100`, { token });
    expect(activity.status).toBe(200);
    const listed = (await activity.json()) as { total: number; data: Array<{ count: number }> };
    expect(listed.total).toBe(listed.data.length);
    return { analytics: ((await analytics.json()) as { totals: { refused: number } }).totals.refused, activity: listed.data.reduce((n, a) => n + a.count, 0) };
  }

  const delivered = async (proxy: ProxyServer) => {
    await until(() => proxy.pullLog.pending === 0, 10_000);
    await proxy.pullLog.flush(true);
    expect(proxy.pullLog.pending).toBe(0);
  };

  it("a batch the portal stored but whose answer was cut is sent again under its id, and its refusals count once", async () => {
    const { customerId, authorization } = await revokedCustomer("Lost answers");
    const { proxy, url } = await startProxy();
    front.loseAnswers = 2;
    front.batchIds.length = 0;
    const refused = await attempt(url, authorization, ["1.0", "1.1", "2.0"], 10);
    expect(refused).toBe(30);
    await delivered(proxy);
    expect(front.loseAnswers).toBe(0);
    // The two batches whose answers were lost reached the portal twice, under one id each.
    const seen = new Map<string, number>();
    for (const id of front.batchIds) seen.set(id, (seen.get(id) ?? 0) + 1);
    expect([...seen.values()].filter((n) => n > 1).length).toBeGreaterThanOrEqual(1);
    expect(await countsShown(customerId)).toEqual({ analytics: refused, activity: refused });
  });

  it("a batch stored before its proxy stopped, answer lost, is delivered again from the spool file by the next proxy and counts once", async () => {
    const { customerId, authorization } = await revokedCustomer("Spooled");
    const spoolFile = path.join(work, "pull-events-1.json");
    const first = await startProxy(spoolFile);
    front.loseAnswers = Number.POSITIVE_INFINITY;
    front.batchIds.length = 0;
    const refused = await attempt(first.url, authorization, ["3.0", "3.1"], 5);
    expect(refused).toBe(10);
    // The portal has stored what the first proxy sent; the proxy heard nothing back and spools it at close.
    await until(() => front.batchIds.length > 0, 10_000);
    await first.proxy.close(1000);
    const stored = new Set(front.batchIds);

    front.loseAnswers = 0;
    const sent = front.batchIds.length;
    const second = await startProxy(spoolFile);
    await second.proxy.pullLog.ready();
    await delivered(second.proxy);
    // What the portal stored is delivered again, under the ids the first proxy gave it.
    expect(front.batchIds.slice(sent).filter((id) => stored.has(id)).length).toBeGreaterThan(0);
    expect(await countsShown(customerId)).toEqual({ analytics: refused, activity: refused });
    expect(await fs.readdir(work)).toEqual([]);
  });
});
