import { describe, expect, it } from "vitest";
import { parseWwwAuthenticate, pickChallenge } from "./challenge";

describe("parseWwwAuthenticate", () => {
  it("Basic with a realm (Distribution htpasswd)", () => {
    expect(parseWwwAuthenticate('Basic realm="registry-5000"')).toEqual([{ scheme: "basic", params: { realm: "registry-5000" } }]);
  });

  it("Docker Hub's Bearer challenge", () => {
    const h = 'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"';
    expect(parseWwwAuthenticate(h)).toEqual([
      {
        scheme: "bearer",
        params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:library/nginx:pull" },
      },
    ]);
  });

  it("commas inside quoted values, and escapes", () => {
    const h = 'Bearer realm="https://ghcr.io/token",scope="repository:a/b:pull,push",error="insufficient_scope",x="say \\"hi\\", ok"';
    expect(parseWwwAuthenticate(h)[0]!.params).toEqual({
      realm: "https://ghcr.io/token",
      scope: "repository:a/b:pull,push",
      error: "insufficient_scope",
      x: 'say "hi", ok',
    });
  });

  it("unquoted values, spaces around =, mixed-case names and schemes", () => {
    expect(parseWwwAuthenticate("BEARER Realm = https://t.example/token , Service=reg")).toEqual([
      { scheme: "bearer", params: { realm: "https://t.example/token", service: "reg" } },
    ]);
  });

  it("several challenges in one header and across repeated headers", () => {
    const parsed = parseWwwAuthenticate(['Basic realm="a", Bearer realm="https://t/token",service="s"', "Negotiate abc=="]);
    expect(parsed).toEqual([
      { scheme: "basic", params: { realm: "a" } },
      { scheme: "bearer", params: { realm: "https://t/token", service: "s" } },
      { scheme: "negotiate", params: {}, token68: "abc==" },
    ]);
  });

  it("a bare scheme, empty items and garbage don't break it", () => {
    expect(parseWwwAuthenticate("Basic")).toEqual([{ scheme: "basic", params: {} }]);
    expect(parseWwwAuthenticate(' ,, =x, Basic realm="r",, ')).toEqual([{ scheme: "basic", params: { realm: "r" } }]);
    expect(parseWwwAuthenticate("")).toEqual([]);
    expect(parseWwwAuthenticate(undefined)).toEqual([]);
  });

  it("an unterminated quote keeps the rest as the value instead of throwing", () => {
    expect(parseWwwAuthenticate('Bearer realm="https://t/token, service=x')[0]!.params.realm).toBe('"https://t/token, service=x');
  });

  it("the first value of a repeated param wins", () => {
    expect(parseWwwAuthenticate('Bearer realm="a",realm="b"')[0]!.params.realm).toBe("a");
  });
});

describe("pickChallenge", () => {
  it("prefers Bearer with a realm, then Basic", () => {
    expect(pickChallenge(parseWwwAuthenticate('Basic realm="a", Bearer realm="https://t"'))!.scheme).toBe("bearer");
    expect(pickChallenge(parseWwwAuthenticate('Bearer service="no-realm", Basic realm="a"'))!.scheme).toBe("basic");
    expect(pickChallenge(parseWwwAuthenticate("Negotiate abc"))).toBeUndefined();
  });
});
