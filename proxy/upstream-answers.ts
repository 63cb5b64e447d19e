import type { UpstreamFailure } from "@/lib/oci/errors";
import { ociAnswer, type OciAnswer } from "@/lib/oci/errcode";
import type { ProxyRequestKind } from "@/lib/oci/proxy-path";

/**
 * What the client sees when the upstream doesn't give it content: one table from an upstream's
 * HTTP status to the proxy's OCI error, for manifests, blobs and tags alike, and one from an
 * upstream request that got no HTTP answer (lib/oci/errors.ts UpstreamFailure) to the proxy's.
 *
 * The upstream's 401/403 is to the vendor's credentials, not the customer's license (it passed):
 * not a 401/403 of ours but a 502 that says what the vendor has to look at. Registries such as
 * Docker Hub also answer this way for a repository that does not exist.
 */
const upstreamRefused = (status: number) =>
  `The upstream registry refused access to this repository with the credentials configured for it (HTTP ${status}): the repository may not exist there, or the vendor's registry credentials lack access.`;

/** What the upstream's answer carries that the table reads. */
export interface UpstreamStatus {
  status: number;
  /** Its body is JSON (an OCI error the client can read for itself). */
  json?: boolean;
  /** The first OCI error message of its body, when it was read. */
  message?: string;
  /** Its Retry-After, passed on with a 429. */
  retryAfter?: string;
}

/** The error for an upstream answer, plus the access log's note for ones the vendor should look at; undefined: relay it as it is. */
export type StatusVerdict = { error: OciAnswer; logError?: string } | undefined;

/**
 * - 401/403 → 502 DENIED (upstreamRefused);
 * - 429 → 429 TOOMANYREQUESTS, with the upstream's Retry-After;
 * - 404 → NAME_UNKNOWN for tags (with the upstream's message); MANIFEST_UNKNOWN/BLOB_UNKNOWN
 *   when its body isn't JSON (else the upstream's own OCI error is relayed);
 * - 1xx, 3xx but 304, 5xx — and for tags anything but 200 — → 502 UNAVAILABLE;
 * - anything else (2xx, 304, other 4xx) is relayed.
 */
export function upstreamStatusAnswer(kind: ProxyRequestKind, up: UpstreamStatus): StatusVerdict {
  const { status } = up;
  if (status === 401 || status === 403) return { error: ociAnswer("DENIED", upstreamRefused(status), { status: 502 }), logError: `upstream ${status}` };
  if (status === 429) {
    return { error: ociAnswer("TOOMANYREQUESTS", "The upstream registry is rate limiting; try again later.", up.retryAfter ? { headers: { "retry-after": up.retryAfter } } : {}) };
  }
  if (status === 404) {
    if (kind === "tags") return { error: ociAnswer("NAME_UNKNOWN", up.message ?? "Repository unknown to the upstream registry.") };
    if (!up.json) return { error: kind === "blobs" ? ociAnswer("BLOB_UNKNOWN", "Blob unknown to the upstream registry.") : ociAnswer("MANIFEST_UNKNOWN", "Manifest unknown to the upstream registry.") };
    return undefined;
  }
  // A range outside the blob: the upstream's answer is its own (often plain text); ours is an OCI error.
  if (status === 416 && kind === "blobs") return { error: ociAnswer("UNSUPPORTED", "The requested range is outside the blob.", { status: 416 }) };
  const relayable = kind === "tags" ? status === 200 : status === 304 || (status >= 200 && status < 300) || (status >= 400 && status < 500);
  if (!relayable) return { error: ociAnswer("UNAVAILABLE", `The upstream registry answered HTTP ${status}.`, { status: 502 }), logError: `upstream ${status}` };
  return undefined;
}

/** An upstream request that failed without an HTTP answer (aborted ones are the client's: the caller handles them). */
export function upstreamFailureAnswer(reason: Exclude<UpstreamFailure, "aborted">, host?: string): OciAnswer {
  switch (reason) {
    case "timeout":
      return ociAnswer("UNAVAILABLE", "The upstream registry did not answer in time.", { status: 504 });
    case "blocked":
    case "insecure":
      return blockedUpstream();
    case "realm":
      return ociAnswer("DENIED", `The upstream registry asked for its credentials to be sent to ${host}, a host not allowed for it; the vendor can allow it on the registry.`, { status: 502 });
    case "auth":
      return ociAnswer("DENIED", "The upstream registry's authentication service refused the credentials configured for it.", { status: 502 });
    default:
      return ociAnswer("UNAVAILABLE", "The upstream registry is unreachable or failed to answer.", { status: 502 });
  }
}

/** The upstream's address is one the operator does not allow (private, or plain HTTP). */
export const blockedUpstream = () => ociAnswer("UNAVAILABLE", "The upstream registry's address is not allowed from this proxy.", { status: 502 });
