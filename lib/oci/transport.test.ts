import http from "node:http";
import { urlToHttpOptions } from "node:url";
import { describe, expect, it } from "vitest";
import { requestOptions } from "./transport";

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
    expect(options).toMatchObject({ method: "HEAD", headers, agent });
  });
});
