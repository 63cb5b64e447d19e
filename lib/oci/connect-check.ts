import net from "node:net";
import tls from "node:tls";
import type { ResolvedAddress } from "./address";
import type { RegistryEndpoint } from "./endpoint";
import { toUpstreamError } from "./transport";

/**
 * The connection test's "Connect (TLS)" step on its own: a TCP connection to the address that
 * passed the SSRF check and, for https, a verified TLS handshake with SNI — so "connection
 * refused", "certificate expired" and "not TLS at all" are told apart before any HTTP happens.
 */

export interface ConnectOptions {
  timeoutMs: number;
  ca?: string | readonly string[];
  signal?: AbortSignal;
}

export function checkConnection(endpoint: RegistryEndpoint, address: ResolvedAddress, opts: ConnectOptions): Promise<string> {
  const secure = endpoint.scheme === "https";
  const where = `${address.family === 6 ? `[${address.address}]` : address.address}:${endpoint.port}`;
  if (opts.signal?.aborted) return Promise.reject(toUpstreamError(endpoint.host, Object.assign(new Error("aborted"), { name: "AbortError" })));
  return new Promise<string>((resolve, reject) => {
    let socket: net.Socket;
    const done = (err: unknown, detail?: string) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      if (err) reject(toUpstreamError(endpoint.host, err, opts.timeoutMs));
      else resolve(detail!);
    };
    const onAbort = () => done(Object.assign(new Error("aborted"), { name: "AbortError" }));
    const timer = setTimeout(() => done(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })), opts.timeoutMs);
    opts.signal?.addEventListener("abort", onAbort);

    if (secure) {
      socket = tls.connect({
        host: address.address,
        port: endpoint.port,
        // SNI and certificate identity are the registry's name, not the address we dialled.
        servername: net.isIP(endpoint.hostname) ? undefined : endpoint.hostname,
        ...(net.isIP(endpoint.hostname) ? {} : { checkServerIdentity: (_h: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(endpoint.hostname, cert) }),
        ca: opts.ca as string[] | undefined,
        rejectUnauthorized: true,
        ALPNProtocols: ["http/1.1"],
      });
      socket.once("secureConnect", () => {
        const s = socket as tls.TLSSocket;
        const cert = s.getPeerCertificate();
        const issuer = cert.issuer?.O ?? cert.issuer?.CN ?? "an unnamed issuer";
        const validTo = cert.valid_to ? new Date(cert.valid_to).toISOString().slice(0, 10) : "?";
        done(null, `${s.getProtocol() ?? "TLS"} to ${where}; certificate for ${cert.subject?.CN ?? endpoint.hostname} issued by ${issuer}, valid until ${validTo}.`);
      });
    } else {
      socket = net.connect({ host: address.address, port: endpoint.port });
      socket.once("connect", () => done(null, `TCP connection to ${where} (plain HTTP, allowed for this host by the operator).`));
    }
    socket.once("error", (e) => done(e));
  });
}
