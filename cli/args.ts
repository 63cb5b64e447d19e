import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./errors";

type Options = NonNullable<ParseArgsConfig["options"]>;

// What can be one of our options: `--name`, `--name=value`, or a one-letter `-h`.
const OPTION_LIKE = /^(?:--[A-Za-z][\w-]*(?:=[\s\S]*)?|-[A-Za-z])$/;
/** An argument that starts with "-" and can't be an option of ours: a value (a license ID or a token may well start with "-"). */
const isDashValue = (a: string) => a.length > 1 && a.startsWith("-") && !OPTION_LIKE.test(a);

/**
 * Values that start with "-" where node:util's strict parsing refuses them or misreads them:
 * `--license-id -_Zx4…` (a license ID is as likely to start with "-" as with any other of its 64
 * characters) becomes `--license-id=-_Zx4…`, and where positionals are allowed `-_Zx4…` on its own
 * is one, as if it came after `--` — node:util would take it for a group of short options, refuse
 * it and echo part of it.
 */
function dashValues(argv: string[], options: Options, allowPositionals: boolean): string[] {
  const end = argv.indexOf("--");
  const before = end === -1 ? argv : argv.slice(0, end);
  const args: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < before.length; i++) {
    const a = before[i]!;
    const name = a.startsWith("--") ? a.slice(2) : undefined;
    if (name && Object.hasOwn(options, name) && options[name]!.type === "string" && i + 1 < before.length && isDashValue(before[i + 1]!)) {
      args.push(`${a}=${before[++i]}`);
    } else if (allowPositionals && isDashValue(a)) positionals.push(a);
    else args.push(a);
  }
  if (positionals.length === 0 && end === -1) return args;
  return [...args, "--", ...positionals, ...(end === -1 ? [] : argv.slice(end + 1))];
}

/** node:util parseArgs with strict checking, turning its errors into UsageError. */
export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    const args = dashValues(argv, options, allowPositionals);
    return parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals });
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
