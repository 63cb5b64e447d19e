/**
 * The answers of the portal's machine endpoints (REST, internal API, token service, downloads):
 * none of them may be cached by anything between the portal and the client.
 */
export const NO_STORE = { "cache-control": "no-store" } as const;

/** A JSON answer that no cache keeps. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

/** A file download (license file YAML) that no cache keeps. */
export function fileResponse(text: string, opts: { contentType: string; filename: string; status?: number }): Response {
  return new Response(text, {
    status: opts.status ?? 200,
    headers: { "content-type": opts.contentType, "content-disposition": `attachment; filename="${opts.filename}"`, ...NO_STORE },
  });
}

/** A one-line plain-text answer, for people (a browser's download link). */
export function textResponse(status: number, line: string, headers: Record<string, string> = {}): Response {
  return new Response(`${line}\n`, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}
