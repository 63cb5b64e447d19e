import { AppError } from "@/lib/errors";
import type { OciCode } from "./errcode";

/**
 * Errors of the OCI layer. Two audiences read them: the portal (AppError → 422 with a field
 * message) and the proxy (the OCI error code and a 4xx/5xx status). Messages are safe to show a
 * user and never contain credentials: callers only ever pass hosts, names and statuses in.
 */

/** OCI distribution error codes the proxy answers with for bad input (OCI distribution spec, "Error Codes"). */
type OciInputCode = Extract<OciCode, "NAME_INVALID" | "TAG_INVALID" | "DIGEST_INVALID" | "UNSUPPORTED">;

/** A malformed image reference, repository name, tag, digest or proxy path. */
export class InvalidReferenceError extends AppError {
  readonly ociCode: OciInputCode;
  constructor(ociCode: OciInputCode, message: string, field = "image") {
    super("validation_failed", message, { fields: { [field]: message } });
    this.name = "InvalidReferenceError";
    this.ociCode = ociCode;
  }
}

/** An endpoint a user typed that we can't or won't use. */
export class InvalidEndpointError extends AppError {
  constructor(message: string) {
    super("validation_failed", message, { fields: { endpoint: message } });
    this.name = "InvalidEndpointError";
  }
}

/** Why an upstream request failed before (or instead of) an HTTP answer. */
export type UpstreamFailure =
  | "dns" // name does not resolve
  | "blocked" // resolves to an address the operator does not allow
  | "insecure" // would send credentials over plain HTTP to a host not allowed for it
  | "refused" // nothing listens
  | "unreachable" // no route / host down
  | "timeout"
  | "tls" // certificate or handshake problem
  | "reset" // connection dropped
  | "aborted" // our caller aborted
  | "auth" // the credential exchange (token realm, ECR) failed
  | "realm" // the token realm is on a host that may not receive the registry's credentials
  | "protocol"; // the peer answered something that is not what the protocol says

/**
 * A failed upstream exchange. `status` is set when the failure came as an HTTP answer (e.g. a
 * token realm's 401); `code` is the system/TLS/AWS error code when there was one.
 */
export class UpstreamError extends Error {
  readonly reason: UpstreamFailure;
  readonly host: string;
  readonly code?: string;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  constructor(
    reason: UpstreamFailure,
    host: string,
    message: string,
    opts: { code?: string; status?: number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "UpstreamError";
    this.reason = reason;
    this.host = host;
    this.code = opts.code;
    this.status = opts.status;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}
