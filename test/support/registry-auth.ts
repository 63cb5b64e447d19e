import path from "node:path";
import { main } from "@/cli/main";
import { servePortalRoutes } from "./portal-routes";
import { startDistribution, type Distribution } from "./registry";
import { configureTestEnv } from "./test-env";

/**
 * Test support for the hosted registry: a real Distribution configured by `portcullis registry
 * config`, pointed at the portal's token service and notifications receiver (served by
 * `servePortalRoutes({ prefix: "/api/registry" })`, test/support/portal-routes.ts).
 */

/** A real Distribution whose config (and certificate bundle) `portcullis registry config` wrote. */
export async function startHostedRegistry(portalUrl: string): Promise<Distribution & { cliOutput: string[] }> {
  const cliOutput: string[] = [];
  const registry = await startDistribution({
    configure: async ({ port, dir, storageDir }) => {
      const out = path.join(dir, "config.yml");
      const io = { out: (l: string) => cliOutput.push(l), err: (l: string) => cliOutput.push(`stderr: ${l}`) };
      const code = await main(["registry", "config", "--storage", storageDir, "--out", out, "--addr", `127.0.0.1:${port}`, "--portal-url", portalUrl], io);
      if (code !== 0) throw new Error(`portcullis registry config exited ${code}:\n${cliOutput.join("\n")}`);
      return out;
    },
  });
  return Object.assign(registry, { cliOutput });
}

export const basicAuth = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;

/** The environment of a hosted-registry test file: development mode, so the signing key and the events secret are generated into its data directory. */
export const configureRegistryAuthTestEnv = () =>
  configureTestEnv({ name: "regauth", vars: { REGISTRY_TOKEN_KEY_FILE: undefined, REGISTRY_EVENTS_TOKEN: undefined, PORTAL_URL: undefined } });

/** The token service and the notifications receiver the hosted registry calls, on their real route handlers. */
export const startRegistryAuthRoutes = () => servePortalRoutes({ prefix: "/api/registry" });
