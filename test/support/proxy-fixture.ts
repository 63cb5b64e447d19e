import { afterAll, beforeAll } from "vitest";
import type { Env } from "@/lib/config/env";
import type { ChangeHub } from "@/lib/internal/changes-hub";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { createProxyServer, type ProxyOptions, type ProxyServer } from "@/proxy/server";
import { createTestDatabase, type TestDatabase } from "@/test/support/db";
import { servePortalRoutes, type PortalRoutes } from "@/test/support/portal-routes";
import { configureTestEnv, releaseDatabase, pointAtDatabase } from "@/test/support/test-env";

/**
 * The setup every proxy integration test file shares: the environment (configureTestEnv), a
 * test database the portal code of this process uses, the portal's internal API on its real route
 * handlers, a test clock, and proxies started in front of that API — all torn down after the
 * file. Call `proxyFixture()` inside the file's `describe` (its hooks run before and after the
 * file's own); upstreams and rows are the file's business.
 */

/** The proxies' clock: the real time plus what the test has advanced it by, so cache TTLs, blocks and expiry pass without waiting. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function testClock(): TestClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => void (offset += ms),
  };
}

export interface StartedProxy {
  proxy: ProxyServer;
  url: string;
  port: number;
  /** `127.0.0.1:<port>`: the registry host in image references. */
  host: string;
}

export interface ProxyFixture {
  serviceToken: string;
  dataDir: string;
  clock: TestClock;
  readonly t: TestDatabase;
  readonly db: PrismaClient;
  readonly api: PortalRoutes;
  /** Lookups the internal API has answered so far. */
  lookups(): number;
  /** More environment for the portal code of this process (DOCKER_HUB_REGISTRY, AWS endpoints, …). */
  setEnv(extra: Record<string, string>): void;
  /**
   * A proxy in front of the internal API, on the test clock, private upstreams allowed unless
   * `options` say otherwise; closed after the file. With its change stream (unless
   * `changeFeed: false`), it is returned once the stream is open, so that its first cache drop
   * is behind it.
   */
  startProxy(options?: Partial<ProxyOptions>): Promise<StartedProxy>;
}

/**
 * The environment of a file whose portal code serves a proxy: a service token, private upstreams
 * allowed, and no portal lookup cache — these files change licenses and registries in the
 * database directly, which the change channel that keeps that cache right never hears of
 * (test/integration/proxy-changes.test.ts and lookup-cache.test.ts run with it).
 */
const configureProxyTestEnv = () =>
  configureTestEnv({ name: "proxytest", serviceToken: true, vars: { ALLOW_PRIVATE_REGISTRY_HOSTS: "true", PORTAL_LOOKUP_CACHE_TTL_MS: "0" } });

/** The portal's internal API the proxy asks, on this process's configuration or on `env`, its change streams from `changes` (default: this process's). */
export const startInternalApi = (opts: { env?: Env; changes?: ChangeHub } = {}) =>
  servePortalRoutes({
    prefix: "/api/internal/proxy",
    ...((opts.env || opts.changes) && { deps: { ...(opts.env && { env: () => opts.env! }), ...(opts.changes && { changes: () => opts.changes! }) } }),
  });

export function proxyFixture(): ProxyFixture {
  const { serviceToken, dataDir } = configureProxyTestEnv();
  const clock = testClock();
  const started: ProxyServer[] = [];
  let t: TestDatabase | undefined;
  let api: PortalRoutes | undefined;
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the proxy fixture's ${what} is not set up yet (use it in a test or a beforeAll)`);
    return value;
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    pointAtDatabase(t.url);
    api = await startInternalApi();
  });

  afterAll(async () => {
    await Promise.all(started.filter((p) => p.server.listening).map((p) => p.close(1000)));
    await api?.close();
    await releaseDatabase();
    await t?.drop();
  });

  return {
    serviceToken,
    dataDir,
    clock,
    get t() {
      return ready(t, "database");
    },
    get db() {
      return ready(t, "database").db;
    },
    get api() {
      return ready(api, "internal API");
    },
    lookups: () => api?.count("POST /api/internal/proxy/lookup") ?? 0,
    setEnv: (extra) => pointAtDatabase(ready(t, "database").url, extra),
    async startProxy(options = {}) {
      const proxy = createProxyServer({ portalUrl: ready(api, "internal API").url, serviceToken, dockerHubRegistry: "registry-1.docker.io", allowPrivate: true, now: clock.now, ...options });
      started.push(proxy);
      const { url, port } = await proxy.listen(0);
      if (proxy.changes) await until(() => proxy.changes!.connected, 10_000);
      return { proxy, url, port, host: `127.0.0.1:${port}` };
    },
  };
}

/**
 * Waits for something a socket, a server or another process does — never for time to pass (the
 * test clock does that): checks `condition` every 20 ms, up to `ms`.
 */
export async function until(condition: () => boolean, ms = 2_000): Promise<void> {
  for (let waited = 0; !condition() && waited < ms; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
}
