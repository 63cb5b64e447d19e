import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import type { SchemaEngine } from "@prisma/schema-engine-wasm";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { connectPgForEngine } from "./pg-engine-adapter";
import { envValue } from "@/lib/config/env";
import { logger } from "@/lib/log/log";

/**
 * Prisma's schema engine compiled to wasm, on driver adapters: the main database through
 * @prisma/adapter-pg (wrapped, see ./pg-engine-adapter.ts), the shadow database a fresh in-memory
 * PGlite. The package is built for bundlers, so the wasm is instantiated here by hand.
 */
type Runtime = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");

let runtime: Promise<Runtime> | undefined;

function loadRuntime(): Promise<Runtime> {
  runtime ??= (async () => {
    const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown };
    g.PRISMA_WASM_PANIC_REGISTRY ??= new PanicRegistry();
    const bg = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as Runtime;
    const require = createRequire(import.meta.url);
    const pkg = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
    const bytes = fs.readFileSync(path.join(pkg, "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": withUnrefTimers(bg) });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return runtime;
}

/**
 * The engine arms a ~10 s timer (a connection-pool idle timeout) that would keep a finished process
 * alive. Unref'd, it still fires while anything else runs; ongoing database work keeps the
 * process alive through its sockets.
 */
function withUnrefTimers(bg: Runtime): WebAssembly.ModuleImports {
  const imports: WebAssembly.ModuleImports = { ...(bg as unknown as WebAssembly.ModuleImports) };
  for (const name of Object.keys(imports)) {
    if (!name.startsWith("__wbg_setTimeout_")) continue;
    imports[name] = (callback: () => void, ms: number) => {
      if (envValue("DEBUG_SCHEMA_ENGINE_TIMERS")) logger().info("schema engine timer", { ms: ms >>> 0 });
      const timer = setTimeout(callback, ms >>> 0);
      timer.unref();
      return timer;
    };
  }
  return imports;
}

class PanicRegistry {
  message = "";
  get() {
    return this.message;
  }
  set_message(value: string) {
    this.message = `RuntimeError: ${value}`;
  }
}

export interface EngineHandle {
  /** Runs an engine operation, turning "External error id#N" into the adapter's real error. */
  run<T>(op: (engine: SchemaEngine) => Promise<T>): Promise<T>;
  /** Frees the engine and closes its connections (the in-memory PGlites included). */
  dispose(): Promise<void>;
}

/**
 * A schema engine whose main database is `url`. Without `url` the main database is a throw-away
 * in-memory PGlite too (for operations that only diff the migrations folder against the schema).
 */
export async function openSchemaEngine(url?: string, log: (message: string) => void = () => {}): Promise<EngineHandle> {
  const bg = await loadRuntime();
  const pglites: PGlite[] = [];
  const adapters: SqlDriverAdapter[] = [];
  // Without a URL, main and shadow share one in-memory PGlite (main is then never used).
  let scratch: Promise<PGlite> | undefined;
  const inMemory = async () => {
    scratch ??= PGlite.create().then((db) => (pglites.push(db), db));
    return new PrismaPGlite(await scratch).connect();
  };
  const track = async (adapter: Promise<SqlDriverAdapter>) => {
    adapters.push(await adapter);
    return adapters[adapters.length - 1]!;
  };
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => track(url ? connectPgForEngine(url) : inMemory()),
    connectToShadowDb: () => track(inMemory()),
  };
  const bound = bindMigrationAwareSqlAdapterFactory(factory);
  const translate = (e: unknown): never => {
    if (e instanceof WebAssembly.RuntimeError) {
      runtime = undefined; // a panicked instance is unusable: the next engine gets a fresh one
      const registry = (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry }).PRISMA_WASM_PANIC_REGISTRY;
      throw new Error(`schema engine panicked: ${registry?.get() || e.message}`);
    }
    const id = /External error id#(\d+)/.exec((e as Error)?.message ?? "")?.[1];
    const record = id === undefined ? undefined : bound.errorRegistry.consumeError(Number(id));
    throw record ? toError(record.error) : e;
  };
  const engine = await bg.SchemaEngine.new({ datamodels: undefined }, log, bound).catch(translate);
  let disposed = false;
  return {
    run: (op) => op(engine).catch(translate),
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      engine.free();
      await Promise.all(adapters.map((a) => a.dispose().catch(() => {})));
      await Promise.all(pglites.map((db) => db.close().catch(() => {})));
    },
  };
}

function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  const v = value as { message?: string; originalMessage?: string; kind?: string } | undefined;
  return new Error(v?.originalMessage ?? v?.message ?? (v?.kind ? `database error: ${v.kind}` : String(value)));
}
