import { AppError } from "@/lib/errors";
import { OCI_ERRORS, ociErrorBody } from "@/lib/oci/errcode";
import { NO_STORE, jsonResponse, textResponse } from "./responses";

/**
 * The one mapping of an AppError to an HTTP answer, per body format:
 * - "json": the REST and internal APIs' `{"error":{code,message,fields}}` (plus the failed
 *   connection test of a refused registry change), with Retry-After for rate limits and the
 *   route's WWW-Authenticate challenge on a 401;
 * - "text": one line for a person (a browser download).
 * - "oci": the token service's `{"errors":[…]}`; its handlers (lib/registry-auth/http.ts) answer
 *   their own errors and never throw, so this only ever says "try again later".
 */
export type ErrorFormat = "json" | "text" | "oci";

export interface ErrorMapping {
  /** WWW-Authenticate of a 401 (the route's authentication strategy says which). */
  challenge?: string;
}

export function jsonErrorResponse(e: AppError, opts: ErrorMapping = {}): Response {
  const headers: Record<string, string> = {};
  if (e.code === "unauthenticated" && opts.challenge) headers["www-authenticate"] = opts.challenge;
  if (e.retryAfterSeconds) headers["retry-after"] = String(e.retryAfterSeconds);
  const test = (e as AppError & { test?: unknown }).test;
  const body = {
    error: {
      code: e.code,
      message: e.message,
      ...(e.fields && { fields: e.fields }),
      ...(test !== undefined && { test }),
    },
  };
  return jsonResponse(e.status, body, headers);
}

export function textErrorResponse(e: AppError): Response {
  return textResponse(e.status, e.message, NO_STORE);
}

export function ociErrorResponse(e: AppError): Response {
  const message = e.code === "internal" ? "The registry is temporarily unavailable. Try again shortly." : e.message;
  return new Response(ociErrorBody("UNAVAILABLE", message), { status: OCI_ERRORS.UNAVAILABLE.status, headers: { "content-type": "application/json", ...NO_STORE } });
}
