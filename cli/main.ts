import type { Command, CommandIO } from "./command";
import { UsageError, UserError } from "./errors";
import { commands } from "./commands";
import { redactSecrets } from "@/lib/log/redact";

const defaultIO: CommandIO = {
  out: (line) => process.stdout.write(line + "\n"),
  err: (line) => process.stderr.write(line + "\n"),
};

function overview(list: Command[]): string {
  const width = Math.max(...list.map((c) => c.path.join(" ").length));
  return [
    "Usage: portcullis <command> [options]",
    "",
    "Commands:",
    ...list.map((c) => `  ${c.path.join(" ").padEnd(width)}  ${c.summary}`),
    "",
    "Run `portcullis <command> --help` for a command's options.",
  ].join("\n");
}

function findCommand(list: Command[], argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of list) {
    const n = command.path.length;
    if (argv.slice(0, n).join(" ") === command.path.join(" ") && (!best || n > best.command.path.length)) {
      best = { command, rest: argv.slice(n) };
    }
  }
  return best;
}

/** Runs the CLI. Exit codes: 0 success, 1 user error (one line on stderr), 2 bad usage. */
export async function main(argv: string[], io: CommandIO = defaultIO, list: Command[] = commands): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.out(overview(list));
    return argv.length === 0 ? 2 : 0;
  }
  const found = findCommand(list, argv);
  if (!found) {
    io.err(`portcullis: unknown command "${argv.filter((a) => !a.startsWith("-")).join(" ")}"`);
    io.err(overview(list));
    return 2;
  }
  const { command, rest } = found;
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(command.usage);
    return 0;
  }
  try {
    return (await command.run(rest, io)) ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`portcullis ${command.path.join(" ")}: ${e.message}`);
      io.err(command.usage);
      return 2;
    }
    if (e instanceof UserError) {
      io.err(`portcullis ${command.path.join(" ")}: ${e.message}`);
      return 1;
    }
    const name = (e as Error)?.name;
    if (name === "ConfigError" || name === "DatabaseLockedError") {
      io.err(`portcullis ${command.path.join(" ")}: ${(e as Error).message}`);
      return 1;
    }
    // Scrubbed: a driver's message can carry a connection string with its password.
    io.err(`portcullis ${command.path.join(" ")}: unexpected error: ${redactSecrets((e as Error)?.message ?? String(e))}`);
    return 1;
  }
}
