import { podman } from "@/scripts/podman";

/**
 * Containers of the Portcullis image as an operator runs them: host network (every server binds
 * 127.0.0.1-reachable ports), read-only root filesystem, the image's own non-root user.
 */
export interface Container {
  name: string;
  /** stdout and stderr so far, for failure messages. */
  logs(): string;
  /** Runs the image's HEALTHCHECK now (podman runs none on its own without systemd); true when healthy. */
  checkHealth(): boolean;
  /** The health status podman recorded: "healthy", "unhealthy", "starting". */
  healthStatus(): string;
  exec(args: string[]): { status: number; stdout: string; stderr: string };
  remove(): void;
}

const created: string[] = [];

function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
}

const baseArgs = (env: Record<string, string>, mounts: string[]) => ["--read-only", "--network=host", ...mounts.flatMap((m) => ["-v", m]), ...envArgs(env)];

/** `podman run --rm` of one command to completion. */
export function runOnce(image: string, command: string[], env: Record<string, string>, mounts: string[] = []) {
  return podman(["run", "--rm", ...baseArgs(env, mounts), image, ...command], { timeoutMs: 300_000 });
}

/** `podman run -d`: a server in the background. */
export function start(image: string, name: string, command: string[], env: Record<string, string>, mounts: string[] = []): Container {
  const r = podman(["run", "-d", "--name", name, ...baseArgs(env, mounts), image, ...command]);
  if (r.status !== 0) throw new Error(`podman run ${name} failed: ${r.stderr}`);
  created.push(name);
  return {
    name,
    logs: () => {
      const l = podman(["logs", name]);
      return l.stdout + l.stderr;
    },
    checkHealth: () => podman(["healthcheck", "run", name]).status === 0,
    healthStatus: () => {
      const [state] = JSON.parse(podman(["inspect", name]).stdout) as Array<{ State: { Health?: { Status: string }; Healthcheck?: { Status: string } } }>;
      return state!.State.Health?.Status ?? state!.State.Healthcheck?.Status ?? "";
    },
    exec: (args) => podman(["exec", name, ...args]),
    remove: () => void podman(["rm", "-f", "-v", name]),
  };
}

/** Removes every container started here (and their anonymous volumes). */
export function removeAll(): void {
  for (const name of created.splice(0)) podman(["rm", "-f", "-v", name]);
}
