import { brief, KmsError } from "@/lib/crypto/errors";

/** JSON over HTTP for the REST-based providers (Cloud KMS, Vault). Network failures become KmsError. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface JsonResponse {
  status: number;
  body: unknown;
}

export async function requestJson(
  fetchImpl: FetchLike,
  service: string,
  url: string,
  init: { method: "GET" | "POST"; headers: Record<string, string>; body?: unknown; timeoutMs?: number },
): Promise<JsonResponse> {
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: init.method,
      headers: { accept: "application/json", ...(init.body !== undefined ? { "content-type": "application/json" } : {}), ...init.headers },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } })?.cause?.code ?? (e as Error)?.name ?? "error";
    throw new KmsError(`${service} unreachable (${cause}) at ${new URL(url).origin}`);
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { unparsed: brief(text) };
  }
  return { status: res.status, body };
}
