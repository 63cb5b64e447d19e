/**
 * `WWW-Authenticate` parsing (RFC 7235 §4.1): one header may hold several challenges, each an
 * auth-scheme followed by a token68 or comma-separated `name=value` params, values quoted or not.
 * Registries are creative: Docker Hub quotes everything, some servers leave URLs unquoted, GHCR
 * puts commas inside quoted scopes, and proxies join repeated headers with ", ". So we split on
 * commas outside quotes and decide item by item whether it starts a new challenge or adds a param.
 */

export interface Challenge {
  /** Lowercase: "basic", "bearer", … */
  scheme: string;
  /** Lowercase names; values unquoted and unescaped. */
  params: Record<string, string>;
  token68?: string;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const SCHEME_AND_REST = new RegExp(`^(${TOKEN})(?:\\s+(.*))?$`, "s");
const PARAM = new RegExp(`^(${TOKEN})\\s*=\\s*(?!=)(.*)$`, "s");

/** Splits on commas that are not inside a quoted string (backslash escapes honoured). */
function splitOutsideQuotes(text: string): string[] {
  const items: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === "\\" && i + 1 < text.length) {
      current += c + text[++i];
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === "," && !quoted) {
      items.push(current.trim());
      current = "";
      continue;
    }
    current += c;
  }
  items.push(current.trim());
  return items.filter(Boolean);
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/gs, "$1");
  return v;
}

export function parseWwwAuthenticate(header: string | readonly string[] | undefined | null): Challenge[] {
  if (!header) return [];
  const text = typeof header === "string" ? header : header.join(", ");
  const challenges: Challenge[] = [];
  let current: Challenge | undefined;

  for (const item of splitOutsideQuotes(text)) {
    const param = item.match(PARAM);
    if (param && current) {
      current.params[param[1]!.toLowerCase()] ??= unquote(param[2]!);
      continue;
    }
    const start = item.match(SCHEME_AND_REST);
    if (!start) continue; // garbage between challenges: skip it rather than fail the whole header
    current = { scheme: start[1]!.toLowerCase(), params: {} };
    challenges.push(current);
    const rest = start[2]?.trim();
    if (!rest) continue;
    const first = rest.match(PARAM);
    if (first) current.params[first[1]!.toLowerCase()] = unquote(first[2]!);
    else current.token68 = rest;
  }
  return challenges;
}

/** The challenge a registry client should answer: Bearer when offered (as Docker does), else Basic. */
export function pickChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === "bearer" && c.params.realm) ?? challenges.find((c) => c.scheme === "basic");
}
