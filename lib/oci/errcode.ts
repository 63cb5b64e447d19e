/**
 * The OCI distribution error codes (OCI distribution spec, "Error Codes", plus Distribution's
 * TAG_INVALID, UNKNOWN and UNAVAILABLE), each with the HTTP status a registry answers it with and
 * a default message, and the one function that writes the error body registry clients print:
 * `{"errors":[{code,message,detail?}]}`. The proxy (proxy/oci-response.ts) and the hosted
 * registry's token service (lib/registry-auth/http.ts) both answer through it. Framework-free: the
 * proxy bundles it.
 *
 * A caller may answer a code with another status where the code's meaning fits but the default
 * would mislead (the proxy's 502 DENIED: the upstream refused the vendor's credentials, not the
 * customer's license).
 */
export const OCI_ERRORS = {
  BLOB_UNKNOWN: { status: 404, message: "Blob unknown to the registry." },
  BLOB_UPLOAD_INVALID: { status: 400, message: "The blob upload is invalid." },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: "Blob upload unknown to the registry." },
  DIGEST_INVALID: { status: 400, message: "The digest did not match the content." },
  MANIFEST_BLOB_UNKNOWN: { status: 404, message: "A blob the manifest references is unknown to the registry." },
  MANIFEST_INVALID: { status: 400, message: "The manifest is invalid." },
  MANIFEST_UNKNOWN: { status: 404, message: "Manifest unknown to the registry." },
  NAME_INVALID: { status: 400, message: "Invalid repository name." },
  NAME_UNKNOWN: { status: 404, message: "Repository name not known to the registry." },
  SIZE_INVALID: { status: 400, message: "The content length does not match." },
  TAG_INVALID: { status: 400, message: "Invalid tag." },
  UNAUTHORIZED: { status: 401, message: "Authentication required." },
  DENIED: { status: 403, message: "Requested access to the resource is denied." },
  UNSUPPORTED: { status: 405, message: "The operation is unsupported." },
  TOOMANYREQUESTS: { status: 429, message: "Too many requests." },
  UNKNOWN: { status: 500, message: "Unknown error." },
  UNAVAILABLE: { status: 503, message: "The service is unavailable." },
} as const satisfies Record<string, { status: number; message: string }>;

export type OciCode = keyof typeof OCI_ERRORS;

/** The error body: one error with `code`, `message` (the code's default when omitted) and `detail` when given. */
export function ociErrorBody(code: OciCode, message: string = OCI_ERRORS[code].message, detail?: unknown): string {
  return JSON.stringify({ errors: [{ code, message, ...(detail !== undefined && { detail }) }] });
}

/** An error answer as a handler decides it, before it is written: status (the code's by default), code, message, extra headers. */
export interface OciAnswer {
  status: number;
  code: OciCode;
  message: string;
  headers?: Record<string, string>;
}

/** `code` with its default status unless `status` is given. */
export function ociAnswer(code: OciCode, message: string = OCI_ERRORS[code].message, opts: { status?: number; headers?: Record<string, string> } = {}): OciAnswer {
  return { status: opts.status ?? OCI_ERRORS[code].status, code, message, ...(opts.headers && { headers: opts.headers }) };
}
