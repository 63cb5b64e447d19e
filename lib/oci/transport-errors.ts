import { UpstreamError } from "./errors";

/** The transport's failures as UpstreamErrors whose messages a person understands (node:http's and raw sockets' alike). */

export const timeoutError = (host: string, ms: number) =>
  new UpstreamError("timeout", host, `Timed out: ${host} did not answer within ${formatSeconds(ms)}.`, { code: "ETIMEDOUT" });
export const aborted = (host: string) => new UpstreamError("aborted", host, `The request to ${host} was cancelled.`, { code: "ABORT_ERR" });
const formatSeconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`);

const TLS_CODES: Record<string, string> = {
  CERT_HAS_EXPIRED: "its certificate has expired",
  CERT_NOT_YET_VALID: "its certificate is not valid yet (check the clocks)",
  ERR_TLS_CERT_ALTNAME_INVALID: "its certificate is for a different host name",
  DEPTH_ZERO_SELF_SIGNED_CERT: "its certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "its certificate chain ends in a self-signed certificate that is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its certificate is not signed by a trusted certificate authority (or the server omits the intermediate certificate)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "its certificate's issuer is not a trusted certificate authority",
  UNABLE_TO_GET_ISSUER_CERT: "its certificate's issuer is not a trusted certificate authority",
  CERT_REVOKED: "its certificate has been revoked",
  CERT_SIGNATURE_FAILURE: "its certificate signature is invalid",
};

/** Turns a socket/TLS/system error into an UpstreamError whose message a person understands. */
export function toUpstreamError(host: string, e: unknown, timeoutMs?: number): UpstreamError {
  if (e instanceof UpstreamError) return e;
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const code = err?.code;
  const msg = String(err?.message ?? e);
  if (err?.name === "AbortError" || code === "ABORT_ERR") return aborted(host);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "ENODATA")
    return new UpstreamError("dns", host, `DNS name not found: ${host.replace(/:\d+$/, "")} has no address. Check the spelling of the endpoint.`, { code });
  if (code === "ECONNREFUSED")
    return new UpstreamError("refused", host, `Connection refused: nothing is listening on ${host}. Is the registry running, and is the port right?`, { code });
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH")
    return new UpstreamError("unreachable", host, `${host} is unreachable from here (no route to the host).`, { code });
  if (code === "ETIMEDOUT")
    return new UpstreamError("timeout", host, `Timed out connecting to ${host}${timeoutMs ? ` within ${formatSeconds(timeoutMs)}` : ""}; a firewall may be dropping the packets.`, { code });
  if (code && TLS_CODES[code])
    return new UpstreamError("tls", host, `TLS error: ${host} is not trusted — ${TLS_CODES[code]}.`, { code });
  if (code?.startsWith("ERR_SSL_") || code === "EPROTO" || /wrong version number|packet length too long|ssl3_get_record/i.test(msg))
    return new UpstreamError(
      "tls",
      host,
      /wrong version number|packet length too long|http request/i.test(msg)
        ? `TLS error: ${host} does not speak TLS on this port (a plain-HTTP registry? http:// is only allowed for registries the operator marks insecure).`
        : `TLS error: the TLS handshake with ${host} failed (${code ?? "handshake error"}).`,
      { code },
    );
  if (code === "ECONNRESET" || code === "EPIPE" || /socket hang up/.test(msg))
    return new UpstreamError("reset", host, `${host} closed the connection unexpectedly.`, { code: code ?? "ECONNRESET" });
  return new UpstreamError("protocol", host, `The request to ${host} failed (${code ?? err?.name ?? "error"}).`, { code });
}
