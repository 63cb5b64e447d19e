import type http from "node:http";
import { INTERNAL_API } from "./contract";
import { handleLookup } from "./http";

/**
 * The internal lookup API (`POST /api/internal/proxy/lookup`, every proxy's question for every
 * pull it can't answer from its cache) served by the portal's front server (scripts/portal-server.ts)
 * straight from node:http, ahead of Next. The same route handler runs as under Next (the service
 * token, the size-capped body, zod, the cached lookup: http.ts `handleLookup`, whose route file
 * stays for `next dev`); what is skipped is Next's routing, request wrapping and web-stream
 * response pipeline, which cost several times what a cached lookup does (BENCHMARKS.md, "Internal
 * lookup API"). Everything else goes to Next.
 */
const LOOKUP_BODY_LIMIT = 16 * 1024;

/** Whether the front server should answer `req` here (then `serveLookup` does). */
export const isLookupRequest = (req: http.IncomingMessage): boolean => req.method === "POST" && (req.url === INTERNAL_API.lookup || req.url?.split("?", 1)[0] === INTERNAL_API.lookup);

/** Answers a lookup request: `origin` is the front server's own URL (the handler needs an absolute one). */
export async function serveLookup(req: http.IncomingMessage, res: http.ServerResponse, origin: string, handler = handleLookup): Promise<void> {
  // At most one chunk over the handler's limit is read: it answers a larger body with its own 422.
  const chunks: Buffer[] = [];
  let size = 0;
  const truncated = await new Promise<boolean>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= LOOKUP_BODY_LIMIT) return;
      req.off("data", onData);
      req.pause();
      resolve(true);
    };
    req.on("data", onData);
    req.once("end", () => resolve(false));
    req.once("error", reject);
  });
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (name.toLowerCase() !== "content-length" && name.toLowerCase() !== "transfer-encoding") headers.append(name, req.rawHeaders[i + 1]!);
  }
  const response = await handler(new Request(new URL(req.url!, origin), { method: "POST", headers, body: Buffer.concat(chunks, size) }));
  const body = Buffer.from(await response.arrayBuffer());
  const out: Record<string, string> = { "content-length": String(body.length) };
  response.headers.forEach((value, name) => {
    if (name !== "content-length") out[name] = value;
  });
  // A body left unread ends the connection rather than being read as the next request.
  if (truncated) out.connection = "close";
  res.writeHead(response.status, out);
  res.end(body);
}
