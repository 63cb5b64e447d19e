import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs with strict checking, turning its errors into UsageError. */
export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function requireFlag(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v.trim() === "") throw new UsageError(`--${name} is required`);
  return v;
}

/** Flags that take a value (`--name VALUE`), declared by name. */
export function stringFlags<const N extends string>(...names: N[]): { [K in N]: { type: "string" } } {
  return Object.fromEntries(names.map((n) => [n, { type: "string" }])) as { [K in N]: { type: "string" } };
}

/** Switches (`--name`), declared by name. */
export function booleanFlags<const N extends string>(...names: N[]): { [K in N]: { type: "boolean" } } {
  return Object.fromEntries(names.map((n) => [n, { type: "boolean" }])) as { [K in N]: { type: "boolean" } };
}
