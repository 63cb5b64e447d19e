/**
 * Scrubs credentials from text before it reaches a log: unexpected errors can carry a connection
 * string, a header or a token in their message. Framework-free so the proxy uses it too.
 */
const patterns: [RegExp, string][] = [
  // scheme://user:password@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, "$1***@"],
  // Authorization: Basic/Bearer <value>
  [/\b(basic|bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, "$1 ***"],
  // password=…, secret: …, token=…, key=… (also quoted JSON values)
  [/\b([a-z_]*(?:password|passwd|secret|token|api[_-]?key|access[_-]?key)[a-z_]*)("?\s*[:=]\s*"?)[^\s",;&]+/gi, "$1$2***"],
  // Portcullis tokens by their prefixes (pcu_, pcs_, pct_ API tokens, and any later pc?_ kind)
  [/\bpc[a-z]_[A-Za-z0-9_-]{8,}/g, "pc*_***"],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const [re, replacement] of patterns) out = out.replace(re, replacement);
  return out;
}

/**
 * An error (or anything thrown) as one safe log line. Prisma's errors carry the whole invocation
 * — the call site and every argument, submitted values included — in their message: only the
 * database's own message (or the message's last line) is kept.
 */
export function describeForLog(e: unknown): string {
  if (!(e instanceof Error)) return redactSecrets(String(e));
  if (e.name.startsWith("PrismaClient")) {
    const { code, meta } = e as Error & { code?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; originalMessage?: unknown } } } };
    const cause = meta?.driverAdapterError?.cause;
    const detail =
      typeof cause?.originalMessage === "string"
        ? `${String(cause.originalCode ?? "")} ${cause.originalMessage}`.trim()
        : (e.message.split("\n").map((l) => l.trim()).filter(Boolean).at(-1) ?? "");
    return redactSecrets(`${e.name}${typeof code === "string" ? ` ${code}` : ""}: ${detail}`);
  }
  return redactSecrets(`${e.name}: ${e.message}`);
}
