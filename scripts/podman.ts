/**
 * Podman as `npm run build:images` and the containers tests run it. Two settings of this kind of
 * machine go into a containers.conf of our own (CONTAINERS_CONF, never the system's): runc as the
 * runtime (crun cannot set rlimits or run under hybrid cgroups here) and explicit ulimits (the
 * host's cannot be inherited, and nproc above 32768 is refused).
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
export const PODMAN_CONF_DIR = path.join(root, ".podman");
/** The image `npm run build:images` builds unless IMAGE names another. */
export const DEFAULT_IMAGE = "localhost/portcullis:latest";

const CONF = `# Written by scripts/podman.ts for \`npm run build:images\` and the containers tests.
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
`;

export function hasPodman(): boolean {
  return spawnSync("podman", ["--version"], { stdio: "ignore" }).status === 0;
}

/** The environment podman runs in: ours plus CONTAINERS_CONF pointing at our containers.conf. */
export function podmanEnv(): NodeJS.ProcessEnv {
  const file = path.join(PODMAN_CONF_DIR, "containers.conf");
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== CONF) {
    fs.mkdirSync(PODMAN_CONF_DIR, { recursive: true });
    fs.writeFileSync(file, CONF);
  }
  return { ...process.env, CONTAINERS_CONF: file };
}

export interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs podman (or skopeo, buildah…) with our containers.conf; output captured unless `inherit`. */
export function podman(args: string[], opts: { cmd?: string; inherit?: boolean; timeoutMs?: number } & Pick<SpawnSyncOptions, "cwd"> = {}): Result {
  const r = spawnSync(opts.cmd ?? "podman", args, {
    cwd: opts.cwd ?? root,
    env: podmanEnv(),
    encoding: "utf8",
    stdio: opts.inherit ? "inherit" : "pipe",
    timeout: opts.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
