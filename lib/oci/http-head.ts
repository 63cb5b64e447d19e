import type http from "node:http";
import { UpstreamError } from "./errors";

/**
 * HTTP/1.1 message heads read strictly, for the clients that speak HTTP on sockets of their own
 * (head-exchange.ts, blob-store.ts `directGet`): the status line and every header line must be
 * well-formed — no folded lines, no bare CR or LF, header names that are tokens, values of visible
 * characters, spaces and tabs — and duplicates are combined as node:http combines them.
 */

/** The most a head may take before its blank line. */
export const MAX_HEAD_BYTES = 64 * 1024;

export interface Head {
  status: number;
  /** A dictionary without a prototype: a header named `__proto__` or `constructor` is only a header. */
  headers: http.IncomingHttpHeaders;
  /** HTTP/1.1 without `Connection: close`: the connection may carry another request. */
  keepAlive: boolean;
}

// RFC 9110 §5.6.2 token; field values: any visible character, space or tab (what node:http accepts).
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

export const isToken = (name: string) => TOKEN.test(name);
export const hasInvalidValueChar = (value: string) => INVALID_VALUE.test(value);

const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [^\x00-\x08\x0a-\x1f\x7f]*)?$/;
// node:http keeps the first of these when an answer repeats them, and joins others with ", ".
const FIRST_WINS = new Set(["age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host", "if-modified-since", "if-unmodified-since", "last-modified", "location", "max-forwards", "proxy-authorization", "referer", "retry-after", "server", "user-agent"]);

/** An answer's head (without its blank line, latin1) as node:http reads it; throws a protocol UpstreamError naming `host` on anything malformed. */
export function parseHead(text: string, host: string): Head {
  const lines = text.split("\r\n");
  const status = STATUS_LINE.exec(lines[0]!);
  if (!status) throw protocolError(host, "a malformed status line");
  const headers: http.IncomingHttpHeaders = Object.create(null) as http.IncomingHttpHeaders;
  let connection = "";
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon) : "";
    if (!TOKEN.test(name)) throw protocolError(host, "a malformed header line");
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (INVALID_VALUE.test(value)) throw protocolError(host, `an invalid character in its ${name} header`);
    const key = name.toLowerCase();
    const seen = headers[key];
    if (key === "set-cookie") headers["set-cookie"] = [...(headers["set-cookie"] ?? []), value];
    else if (seen === undefined) headers[key] = value;
    else if (!FIRST_WINS.has(key)) headers[key] = `${seen as string}, ${value}`;
    if (key === "connection") connection += `,${value.toLowerCase()}`;
  }
  const keepAlive = status[1] === "1" && !/(^|,)\s*close\s*(,|$)/.test(connection);
  return { status: Number(status[2]), headers, keepAlive };
}

export const protocolError = (host: string, what: string, code = "HPE_INVALID") =>
  new UpstreamError("protocol", host, `${host} sent ${what}.`, { code });
