import type http from "node:http";

/**
 * OCI distribution error answers (OCI distribution spec, "Error Codes"):
 * `{"errors":[{code,message,detail?}]}` with the API version header every registry sends. Messages are written for the customer and
 * never contain a credential, a license ID or an upstream's internal detail.
 */
export type OciCode =
  | "BLOB_UNKNOWN"
  | "DIGEST_INVALID"
  | "MANIFEST_UNKNOWN"
  | "NAME_INVALID"
  | "NAME_UNKNOWN"
  | "TAG_INVALID"
  | "UNAUTHORIZED"
  | "DENIED"
  | "UNSUPPORTED"
  | "TOOMANYREQUESTS"
  | "UNAVAILABLE"
  | "UNKNOWN";

export const API_VERSION_HEADER = { "docker-distribution-api-version": "registry/2.0" } as const;

export function ociErrorBody(code: OciCode, message: string, detail?: unknown): string {
  return JSON.stringify({ errors: [{ code, message, ...(detail !== undefined && { detail }) }] });
}

export function sendOciError(res: http.ServerResponse, status: number, code: OciCode, message: string, headers: Record<string, string> = {}, method = "GET"): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = ociErrorBody(code, message);
  res.writeHead(status, {
    ...API_VERSION_HEADER,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(method === "HEAD" ? undefined : body);
}
