import type { ParseArgsConfig } from "node:util";
import { parseFlags } from "@/cli/args";

/** One CLI command: its words ("kms status"), help text, and what it does. Returns the exit code. */
export interface Command {
  path: string[];
  summary: string;
  usage: string;
  run(argv: string[], io: CommandIO): Promise<number | void>;
}

export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
}

type Flags = NonNullable<ParseArgsConfig["options"]>;

/** A command whose flags are declared: `run` gets them parsed strictly (a bad flag is a UsageError). */
export function defineCommand<F extends Flags>(spec: {
  path: string[];
  summary: string;
  usage: string;
  flags: F;
  /** Arguments besides the flags (default: none allowed). */
  positionals?: boolean;
  run(args: { values: ReturnType<typeof parseFlags<F>>["values"]; positionals: string[] }, io: CommandIO): Promise<number | void>;
}): Command {
  return {
    path: spec.path,
    summary: spec.summary,
    usage: spec.usage,
    run: (argv, io) => spec.run(parseFlags(argv, spec.flags, spec.positionals ?? false), io),
  };
}
