import { execFile } from "node:child_process";
import path from "node:path";

/** The `portcullis` bin (tsx loading the TypeScript CLI), as a user runs it. */
export const CLI_BIN = path.resolve(import.meta.dirname, "../../cli/portcullis.js");

export interface CliResult {
  /** The exit code; -1 when the process was killed (it ran out of `timeoutMs`, or a signal). */
  code: number;
  stdout: string;
  /** What it wrote, and — when it was killed — a line saying so, where the assertions look. */
  stderr: string;
}

/**
 * Runs `portcullis ARGS` with `env` and collects what it prints. The default limit is generous:
 * tsx compiles the CLI on start, which takes a while on a loaded machine.
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv, opts: { timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_BIN, ...args], { env, timeout: opts.timeoutMs ?? 120_000 }, (error, stdout, stderr) => {
      if (!error) return resolve({ code: 0, stdout, stderr });
      const { code, killed, signal } = error as { code?: number | null; killed?: boolean; signal?: string | null };
      resolve({ code: typeof code === "number" ? code : -1, stdout, stderr: stderr + (killed || signal ? `\n[the CLI was killed: ${signal ?? "timeout"}]` : "") });
    });
  });
}
