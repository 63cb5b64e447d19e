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
