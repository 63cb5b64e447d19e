/**
 * A request body as text, read no further than `limit` bytes: null when it is larger. Content-
 * Length is only a hint (a chunked body has none), so the stream itself is counted and cancelled
 * as soon as it passes the limit; nothing larger is ever held in memory.
 */
export async function readBodyText(req: Request, limit: number): Promise<string | null> {
  if (Number(req.headers.get("content-length") ?? "0") > limit) return null;
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
