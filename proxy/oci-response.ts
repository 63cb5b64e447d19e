import type http from "node:http";
import { ociErrorBody, type OciAnswer } from "@/lib/oci/errcode";

/**
 * Writing OCI distribution answers (the codes and the body: lib/oci/errcode.ts) with the API
 * version header every registry sends. Messages are written for the customer and never contain a
 * credential, a license ID or an upstream's internal detail.
 */

export const API_VERSION_HEADER = { "docker-distribution-api-version": "registry/2.0" } as const;

/** An error answer; a response whose headers already went out is cut instead (the client sees a broken transfer). */
export function sendOciError(res: http.ServerResponse, answer: OciAnswer, method = "GET"): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = ociErrorBody(answer.code, answer.message);
  res.writeHead(answer.status, {
    ...API_VERSION_HEADER,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    ...answer.headers,
  });
  res.end(method === "HEAD" ? undefined : body);
}

export function sendJson(res: http.ServerResponse, status: number, value: unknown, method: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...API_VERSION_HEADER, "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(body)), ...headers });
  res.end(method === "HEAD" ? undefined : body);
}

export function sendText(res: http.ServerResponse, status: number, body: string, contentType = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": contentType, "content-length": String(Buffer.byteLength(body)), "cache-control": "no-store" });
  res.end(body);
}

/** A raw HTTP/1.1 error answer on a socket the HTTP parser gave up on (malformed, headers too large or too slow). */
export function rawOciError(status: number, statusText: string | undefined, answer: Pick<OciAnswer, "code" | "message">): string {
  const body = ociErrorBody(answer.code, answer.message);
  return `HTTP/1.1 ${status} ${statusText}\r\nContent-Type: application/json; charset=utf-8\r\nDocker-Distribution-Api-Version: registry/2.0\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
