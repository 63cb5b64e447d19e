/**
 * The launcher behind `npm run dev` and `npm start`: validates the configuration, opens the
 * embedded database (or uses DATABASE_URL), applies migrations, then runs the portal (Next.js)
 * with the database URL in its environment. This process holds the embedded database and serves
 * it over the Postgres protocol on 127.0.0.1, so the portal, and a CLI run beside it, reach it
 * through here and never open its folder a second time.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, assertEmbeddedDatabaseAllowed, parseEnv } from "@/lib/config/env";
import { hashKeyring } from "@/lib/auth/hash-keys";
import { databaseUrl, disconnectDb } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrations";
import { assertKmsConfigured } from "@/lib/crypto";
import { generatedSecret } from "@/lib/config/data-dir";
import { PROXY_TOKEN_FILE } from "@/lib/internal/service-token";
import { DISTRIBUTION_BINARY, localRegistryStorage, startLocalRegistry } from "./registry";
import { PROXY_NODE_FLAGS } from "@/proxy/node-flags";
import { logger } from "@/lib/log/log";

type Mode = "dev" | "start";

function fail(message: string): never {
  // The one line naming what is wrong, as is: no log prefix.
  process.stderr.write(message + "\n");
  process.exit(1);
}

export async function serve(mode: Mode) {
  if (mode === "start") (process.env as Record<string, string>).NODE_ENV ??= "production";
  let env;
  try {
    env = parseEnv();
    assertEmbeddedDatabaseAllowed(env);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  try {
    // A missing or malformed KMS key stops the start here, with one line naming the variable.
    assertKmsConfigured();
    // Likewise the keys of the license ID and API token hashes (generated in development).
    hashKeyring();
  } catch (e) {
    fail((e as Error).message);
  }
  if (mode === "start" && !fs.existsSync(path.join(process.cwd(), env.PORTCULLIS_NEXT_DIST_DIR ?? ".next", "BUILD_ID"))) {
    fail("No production build found: run `npm run build` first.");
  }

  // The embedded database closes itself on SIGINT/SIGTERM; here it must outlive the portal's last
  // request, so this launcher takes those signals over and closes it once the children are gone.
  const signalListeners = { SIGINT: process.listeners("SIGINT"), SIGTERM: process.listeners("SIGTERM") };
  const url = await databaseUrl();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    for (const l of process.listeners(signal)) if (!signalListeners[signal].includes(l)) process.off(signal, l);
  }
  const applied = await applyMigrations(url);
  if (applied.length > 0) logger().info(`applied migrations: ${applied.join(", ")}`);

  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  const children: ChildProcess[] = [];
  const childEnv = { ...process.env, DATABASE_URL: url, NEXT_TELEMETRY_DISABLED: "1" };
  // The portal's internal API and the registry proxy share PROXY_SERVICE_TOKEN (in development one
  // is generated into the data directory; production requires it).
  const proxyToken = env.PROXY_SERVICE_TOKEN ?? (mode === "dev" ? generatedSecret(PROXY_TOKEN_FILE) : undefined);
  if (proxyToken) Object.assign(childEnv, { PROXY_SERVICE_TOKEN: proxyToken });
  // Development's hosted registry (started below) is where deleting an app deletes its images, and
  // the proxy cache's store, whose copies the proxy reads off its disk.
  const proxyEnv: Record<string, string> = {};
  if (mode === "dev" && !env.REGISTRY_INTERNAL_URL && fs.existsSync(DISTRIBUTION_BINARY)) {
    Object.assign(childEnv, { REGISTRY_INTERNAL_URL: `http://127.0.0.1:${env.REGISTRY_PORT}` });
    if (!env.CACHE_REGISTRY_URL && !process.env.PROXY_CACHE_STORE_DIR) {
      proxyEnv.PROXY_CACHE_STORE_DIR = localRegistryStorage(env);
      fs.mkdirSync(proxyEnv.PROXY_CACHE_STORE_DIR, { recursive: true });
    }
  }
  // Development listens on loopback only; production on every interface unless BIND_ADDRESS says otherwise.
  const bind = env.BIND_ADDRESS ?? (mode === "dev" ? "127.0.0.1" : "0.0.0.0");
  // Production runs Next behind our own server, which sets the client address (see portal-server.ts).
  const portalArgs = mode === "dev" ? [nextBin, "dev", "-p", String(env.PORT), "-H", bind] : portalServerArgs();
  const portal = spawn(process.execPath, portalArgs, {
    stdio: "inherit",
    env: { ...childEnv, BIND_ADDRESS: bind },
  });
  children.push(portal);
  logger().info(`portal on http://localhost:${env.PORT}${env.DATABASE_URL ? "" : " (embedded database in " + env.PORTCULLIS_DATA_DIR + ")"}`);
  // `npm run dev` also runs the registry proxy (production runs it on its own: proxy/main.ts
  // --production). It gets no database or key material: it asks the portal's internal API.
  const proxy = mode === "dev" && proxyToken ? startProxy(bind, proxyToken, env.PORT, proxyEnv) : undefined;
  // …and the hosted private registry (Distribution) when it is installed.
  let registry: ChildProcess | undefined;
  if (mode === "dev") {
    const portalHost = bind === "0.0.0.0" || bind === "::" ? "127.0.0.1" : bind.includes(":") ? `[${bind}]` : bind;
    registry = await startLocalRegistry(env, { portalUrl: env.PORTAL_URL ?? `http://${portalHost}:${env.PORT}` }).catch((e: unknown) => {
      logger().error(`hosted registry not started: ${(e as Error).message}`);
      return undefined;
    });
  }

  // The stop order: the proxy first, while the portal still takes its pull log; then the portal,
  // which finishes its requests; then the embedded database, once nothing uses it; the hosted
  // registry last, so its notifications reach the portal until the portal stops. Each step waits
  // for its process to exit (bounded), so nothing outlives this launcher.
  let stopping = false;
  const stop = async (code: number, why?: string) => {
    if (stopping) return;
    stopping = true;
    if (proxy && running(proxy)) {
      logger().info(`${why ?? "stopping"}: stopping the registry proxy too (it finishes its requests; pull events the portal can't take are kept on disk)`);
      await stopChild(proxy, PROXY_STOP_MS);
      logger().info("stopped the registry proxy");
    }
    const rest = children.filter(running);
    await Promise.all(rest.map((c) => stopChild(c, env.PORTAL_DRAIN_DELAY_MS + CHILDREN_STOP_MS)));
    if (rest.length > 0) logger().info("stopped the portal");
    await Promise.race([disconnectDb().catch(() => {}), sleep(5_000)]);
    if (!env.DATABASE_URL) logger().info("closed the embedded database");
    if (registry && running(registry)) {
      await stopChild(registry, REGISTRY_STOP_MS);
      logger().info("stopped the hosted registry");
    }
    process.exit(code);
  };
  for (const c of children) c.on("exit", (code) => void stop(code ?? 1, `the portal exited${code ? ` with code ${code}` : ""}`));
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
}

/** The dev proxy's drain (no load balancer in front: no delay) plus its flush. */
const PROXY_STOP_MS = 35_000;
/** The portal's drain (scripts/portal-server.ts: 25 s) plus Next's close, after PORTAL_DRAIN_DELAY_MS. */
const CHILDREN_STOP_MS = 32_000;
/** Distribution stops at once on SIGTERM. */
const REGISTRY_STOP_MS = 5_000;
const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
const exited = (c: ChildProcess) => new Promise<void>((resolve) => (running(c) ? c.once("exit", () => resolve()) : resolve()));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** SIGTERM, then up to `ms` for it to exit; SIGKILL if it has not. */
async function stopChild(child: ChildProcess, ms: number): Promise<void> {
  child.kill("SIGTERM");
  await Promise.race([exited(child), sleep(ms)]);
  if (running(child)) {
    logger().warn(`a child process (pid ${child.pid}) did not stop within ${ms / 1000} s: killed`);
    child.kill("SIGKILL");
    await exited(child);
  }
}

/**
 * The production front server: built by `npm run build` beside this launcher (dist/start.mjs,
 * dist/portal-server.mjs) and run by plain node; from the sources (tsx scripts/start.ts), through tsx.
 */
function portalServerArgs(): string[] {
  const bundled = path.join(path.dirname(fileURLToPath(import.meta.url)), "portal-server.mjs");
  if (fs.existsSync(bundled)) return [bundled];
  return ["--import", "tsx", path.join(process.cwd(), "scripts", "portal-server.ts")];
}

function startProxy(bind: string, token: string, portalPort: number, extraEnv: Record<string, string>): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, PROXY_SERVICE_TOKEN: token };
  for (const secret of ["DATABASE_URL", "AUTH_SECRET", "LOCAL_KMS_KEYS", "LOCAL_KMS_KEY_FILE", "VAULT_TOKEN"]) delete env[secret];
  const portalHost = bind === "0.0.0.0" || bind === "::" ? "127.0.0.1" : bind.includes(":") ? `[${bind}]` : bind;
  env.PORTAL_INTERNAL_URL ||= `http://${portalHost}:${portalPort}`;
  env.PROXY_DRAIN_DELAY_MS ||= "0";
  // Its own process group: a Ctrl-C in the terminal reaches the launcher, which stops it gracefully.
  const proxy = spawn(process.execPath, [...PROXY_NODE_FLAGS, "--import", "tsx", path.join(process.cwd(), "proxy", "main.ts")], { stdio: "inherit", env, detached: true });
  // A proxy that can't start (its port taken) leaves the portal running.
  proxy.on("exit", (code, signal) => {
    if (code) logger().error(`the registry proxy exited with code ${code}; the portal keeps running`);
    else if (signal && signal !== "SIGTERM") logger().error(`the registry proxy was killed (${signal})`);
  });
  process.on("exit", () => {
    if (proxy.exitCode === null) proxy.kill("SIGTERM");
  });
  return proxy;
}
