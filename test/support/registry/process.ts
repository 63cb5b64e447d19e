import { spawn, type SpawnOptions } from "node:child_process";
import net from "node:net";
import os from "node:os";

/** Small process and port helpers for the harness. */

/** An environment with nothing inherited but PATH: Distribution turns every REGISTRY_* variable into config, skopeo reads REGISTRY_AUTH_FILE, and neither should see the developer's setup. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // (Next's types make NODE_ENV required on ProcessEnv; a child without it is what we want.)
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_RUNTIME_DIR: home, TMPDIR: os.tmpdir(), LANG: "C.UTF-8", ...extra } as unknown as NodeJS.ProcessEnv;
}

/** A port free on 127.0.0.1 right now (the OS picks it; a race with another process is retried by callers). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects with its stderr when it fails (unless allowFailure). */
export function run(cmd: string, args: string[], opts: SpawnOptions & { allowFailure?: boolean; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : undefined;
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const result = { code: code ?? -1, stdout, stderr };
      if (code !== 0 && !opts.allowFailure) reject(new Error(`${cmd} ${redact(args).join(" ")} exited ${code}: ${stderr.trim().slice(-2000)}`));
      else resolve(result);
    });
  });
}

const SECRET_FLAGS = new Set(["--creds", "--src-creds", "--dest-creds", "--password"]);

/** Command lines in error messages without the values of credential flags. */
export function redact(args: readonly string[]): string[] {
  return args.map((a, i) => (i > 0 && SECRET_FLAGS.has(args[i - 1]!) ? "***" : a.replace(/^(--(?:src-|dest-)?creds=).*/, "$1***")));
}
