import http from "node:http";

/** HTTP as a registry client speaks it to the proxy: license credentials, raw requests, OCI error bodies. */

export const licenseAuth = (licenseId: string) => `Basic ${Buffer.from(`LICENSE_ID:${licenseId}`).toString("base64")}`;

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request with node:http (no fetch: it would normalise `..` in paths). */
export function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string>; path?: string } = {}): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method: opts.method ?? "GET", path: opts.path ?? u.pathname + u.search, headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

export const ociErrors = (r: RawResponse) => (JSON.parse(r.body.toString("utf8")) as { errors: Array<{ code: string; message: string }> }).errors;
