import { describeForLog, redactSecrets } from "./redact";

/**
 * The portal's and the CLI's one logger: levels, one JSON object per line in production and a
 * readable line in development, and every message and field passed through lib/log/redact.ts
 * first — a field whose name says it holds a secret (password, token, authorization, cookie,
 * credentials, keys) is replaced whole, strings are scrubbed of connection-string passwords,
 * Basic/Bearer values and Portcullis tokens, errors become their safe one-line description.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** "json" (production) or "pretty" (development). */
  format: "json" | "pretty";
  /** The least severe level written (default "info"). */
  level?: LogLevel;
  /** Where a finished line goes (default: stderr for warn and error, stdout otherwise). */
  write?: (line: string, level: LogLevel) => void;
  now?: () => Date;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /password|passwd|secret|token|authorization|cookie|credential|api[_-]?key|access[_-]?key|private[_-]?key|license[_-]?id/i;
const MAX_DEPTH = 5;

/** A field value as it may be logged. */
function redactValue(value: unknown, key = "", depth = 0): unknown {
  if (key && SECRET_KEY.test(key) && value !== undefined && value !== null) return "***";
  if (typeof value === "string") return redactSecrets(value);
  if (value instanceof Error) return describeForLog(value);
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH) return "[…]";
  if (Array.isArray(value)) return value.map((v) => redactValue(v, "", depth + 1));
  const out: LogFields = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k, depth + 1);
  return out;
}

function pretty(fields: LogFields): string {
  return Object.entries(fields)
    .map(([k, v]) => ` ${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join("");
}

const defaultWrite = (line: string, level: LogLevel) => (level === "warn" || level === "error" ? process.stderr : process.stdout).write(line + "\n");

export function createLogger(opts: LoggerOptions): Logger {
  const min = rank[opts.level ?? "info"];
  const write = opts.write ?? defaultWrite;
  const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (rank[level] < min) return;
    const msg = redactSecrets(message);
    const safe = redactValue(fields) as LogFields;
    const time = (opts.now?.() ?? new Date()).toISOString();
    write(opts.format === "json" ? JSON.stringify({ time, level, msg, ...safe }) : `[portcullis] ${level === "info" ? "" : `${level}: `}${msg}${pretty(safe)}`, level);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}
