import { UsageError, UserError } from "@/cli/errors";

/**
 * The CLI's client of the vendor REST API (`/api/v1`), shared by the commands that talk to a
 * portal: the portal from `--portal-url` or PORTAL_URL, an API token from `PORTCULLIS_TOKEN` (never
 * a flag: flags end up in shell history and process lists). A refusal becomes a UserError with the
 * portal's own words (the first field's message, else the error's).
 */

/** The options and environment every such command's usage lists. */
export const REST_CLIENT_HELP = `  --portal-url URL   the portal (default: PORTAL_URL)
Environment:
  PORTCULLIS_TOKEN   an API token (Tokens page)`;

type Env = Record<string, string | undefined>;

export interface RestClientDeps {
  env?: Env;
  fetch?: typeof fetch;
}

export interface RestClient {
  call(method: string, path: string, body?: unknown): Promise<unknown>;
}

export function restClient(values: { "portal-url"?: string }, deps: RestClientDeps): RestClient {
  const env = deps.env ?? process.env;
  const base = (values["portal-url"] ?? env.PORTAL_URL ?? "").replace(/\/+$/, "");
  if (!base) throw new UsageError("--portal-url is required (or set PORTAL_URL)");
  if (!URL.canParse(base)) throw new UsageError(`--portal-url: "${base}" is not a URL`);
  const token = env.PORTCULLIS_TOKEN?.trim();
  if (!token) throw new UserError("set PORTCULLIS_TOKEN to an API token (Tokens page of the portal)");
  const doFetch = deps.fetch ?? fetch;
  return {
    async call(method, path, body) {
      let res: Response;
      try {
        res = await doFetch(`${base}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(body !== undefined && { "content-type": "application/json" }) },
          ...(body !== undefined && { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(60_000),
        });
      } catch (e) {
        throw new UserError(`the portal at ${base} can't be reached (${(e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message})`);
      }
      const json = (await res.json().catch(() => null)) as { error?: { message?: string; fields?: Record<string, string> } } | null;
      if (!res.ok) {
        const fields = Object.values(json?.error?.fields ?? {});
        throw new UserError(fields[0] ?? json?.error?.message ?? `the portal answered HTTP ${res.status}`);
      }
      return json;
    },
  };
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? `give the ${what}` : `give one ${what}`);
  return positionals[0]!;
}
