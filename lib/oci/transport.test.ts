import http from "node:http";
import { urlToHttpOptions } from "node:url";
import { describe, expect, it } from "vitest";
import { requestOptions, send } from "./transport";

describe("requestOptions", () => {
  const agent = new http.Agent();
  const headers = { accept: "application/json" };
  const FIELDS = ["protocol", "hostname", "port", "path", "auth"] as const;

  it.each([
    "https://registry.example.com/v2/library/nginx/manifests/1.25",
    "http://127.0.0.1:5000/v2/app/blobs/sha256:abc?n=10&last=x",
    "https://[2001:db8::1]:8443/v2/",
    "https://user%40corp:p%3Ass@storage.example.com/blob?sig=1#frag",
    "https://:only-password@storage.example.com/x",
    "http://registry.example.com:80/v2/",
  ])("reads %s as http.request(url) does", (href) => {
    const url = new URL(href);
    const options = requestOptions(url, url.hostname.replace(/^\[(.*)\]$/, "$1"), { method: "HEAD", headers }, agent);
    const node = urlToHttpOptions(url);
    for (const field of FIELDS) expect(options[field], field).toEqual(node[field]);
    expect(options).toMatchObject({ method: "HEAD", agent });
    if (url.username || url.password) expect(options.headers).toEqual(headers);
    else expect(options.headers).toEqual(["accept", "application/json", "host", url.host]);
  });

  it("sends the headers and the Host header http.request(url) would, and userinfo as Basic credentials", async () => {
    const seen: string[][] = [];
    const server = http.createServer((req, res) => (seen.push(req.rawHeaders), res.end()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const policy = { allowPrivate: true };
    try {
      for (const href of [`http://127.0.0.1:${port}/v2/`, `http://127.0.0.1:${port}/v2/?n=1`, `http://u:p@127.0.0.1:${port}/x`]) {
        const res = await send({ url: new URL(href), method: "GET", headers: { "user-agent": "portcullis", accept: "application/json" }, timeoutMs: 5_000, idleTimeoutMs: 5_000, policy });
        res.body.resume();
        expect(res.status).toBe(200);
      }
    } finally {
      server.close();
    }
    const pairs = (raw: string[]) => Object.fromEntries(raw.flatMap((v, i) => (i % 2 ? [] : [[v.toLowerCase(), raw[i + 1]]])));
    expect(seen.map(pairs)).toEqual([
      expect.objectContaining({ "user-agent": "portcullis", accept: "application/json", host: `127.0.0.1:${port}`, connection: "keep-alive" }),
      expect.objectContaining({ host: `127.0.0.1:${port}` }),
      expect.objectContaining({ host: `127.0.0.1:${port}`, authorization: `Basic ${Buffer.from("u:p").toString("base64")}` }),
    ]);
    expect(seen.map((raw) => raw.filter((_, i) => i % 2 === 0 && raw[i]!.toLowerCase() === "host").length)).toEqual([1, 1, 1]);
  });
});
