/**
 * `npm run dev`'s hosted private registry: CNCF Distribution (Debian's `docker-registry`) on
 * 127.0.0.1:REGISTRY_PORT, configured like `portcullis registry config` does (token auth against
 * this portal, notifications to it), with images in <PORTCULLIS_DATA_DIR>/registry/storage.
 * Started with a clean environment: Distribution reads every REGISTRY_* variable as config.
 * When the binary is missing the portal runs without it and says how to install it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Env } from "@/lib/config/env";
import { writeDistributionConfig } from "@/lib/registry-auth/distribution-config";
import { loadRegistrySigningKey } from "@/lib/registry-auth/signing-key";
import { registryEventsToken } from "@/lib/registry-auth/settings";
import { logger } from "@/lib/log/log";
import { filterRegistryOutput } from "./registry-output";

export const DISTRIBUTION_BINARY = "/usr/bin/docker-registry";

/** Where the development registry keeps its images (its storage.filesystem.rootdirectory). */
export const localRegistryStorage = (env: Pick<Env, "PORTCULLIS_DATA_DIR">) => path.resolve(env.PORTCULLIS_DATA_DIR, "registry", "storage");

/** Starts it; the child process, or undefined when the binary is not installed. */
export async function startLocalRegistry(env: Env, opts: { portalUrl: string }): Promise<ChildProcess | undefined> {
  if (!fs.existsSync(DISTRIBUTION_BINARY)) {
    logger().info(
      `hosted registry not started: ${DISTRIBUTION_BINARY} is not installed ` +
        "(sudo apt-get install -y --no-install-recommends docker-registry; then restart npm run dev)",
    );
    return undefined;
  }
  const dir = path.resolve(env.PORTCULLIS_DATA_DIR, "registry");
  const addr = `127.0.0.1:${env.REGISTRY_PORT}`;
  const { configPath } = writeDistributionConfig({
    configPath: path.join(dir, "config.yml"),
    storageDir: localRegistryStorage(env),
    addr,
    portalUrl: opts.portalUrl,
    eventsToken: registryEventsToken(env)!,
    key: await loadRegistrySigningKey(env),
    accessLog: false,
  });
  const child = spawn(DISTRIBUTION_BINARY, ["serve", configPath], {
    env: { PATH: "/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8" } as unknown as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Its routine lines (a token challenge per client, "blob unknown" per pushed layer) would bury the rest.
  filterRegistryOutput(child.stdout, (line) => process.stdout.write(line));
  filterRegistryOutput(child.stderr, (line) => process.stderr.write(line));
  logger().info(`hosted registry on ${addr} (docker login localhost:${env.REGISTRY_PORT}; images in ${path.join(dir, "storage")})`);
  child.on("exit", (code, signal) => {
    if (code) logger().error(`the hosted registry exited with code ${code}; the portal keeps running`);
    else if (signal && signal !== "SIGTERM") logger().error(`the hosted registry was killed (${signal})`);
  });
  process.on("exit", () => {
    if (child.exitCode === null) child.kill("SIGTERM");
  });
  return child;
}
