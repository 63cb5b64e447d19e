import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/config/env";
import { decodeJwt, libtrustKeyId } from "./jwt";
import { HostedRegistryError, hostedImages, hostedRegistryUrl } from "./hosted-images";

const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const signingKey = async () => ({ privateKey, publicKey, kid: libtrustKeyId(publicKey), source: "test" });

/** A scripted registry API: path (with query) → answer; records every request with its token's access. */
function scripted(routes: Record<string, (method: string) => Response>) {
  const seen: Array<{ method: string; path: string; access: unknown }> = [];
  const fetchStub = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input));
    const pathAndQuery = url.pathname + url.search;
    const auth = new Headers(init?.headers).get("authorization") ?? "";
    seen.push({ method: init?.method ?? "GET", path: pathAndQuery, access: decodeJwt(auth.replace(/^Bearer /, ""))?.claims.access });
    const route = routes[pathAndQuery];
    return route ? route(init?.method ?? "GET") : new Response(null, { status: 404 });
  }) as typeof fetch;
  return { seen, fetch: fetchStub };
}

describe("hosted registry client", () => {
  it("takes REGISTRY_INTERNAL_URL over REGISTRY_URL; neither means no hosted registry", () => {
    expect(hostedRegistryUrl(parseEnv({ REGISTRY_URL: "https://registry.example.com/" }))).toBe("https://registry.example.com");
    expect(hostedRegistryUrl(parseEnv({ REGISTRY_URL: "https://registry.example.com", REGISTRY_INTERNAL_URL: "http://10.0.0.5:5000" }))).toBe("http://10.0.0.5:5000");
    expect(hostedRegistryUrl(parseEnv({}))).toBeUndefined();
  });

  it("follows the catalog's Link pages, keeps only <slug>/ repositories, and asks for exactly the access it needs", async () => {
    const reg = scripted({
      "/v2/_catalog?n=1000": () => Response.json({ repositories: ["pay/api", "pay-x/api"] }, { headers: { link: '</v2/_catalog?last=pay-x%2Fapi&n=1000>; rel="next"' } }),
      "/v2/_catalog?last=pay-x%2Fapi&n=1000": () => Response.json({ repositories: ["pay/web", "payments/api"] }),
      "/v2/pay/api/tags/list?n=1000": () => Response.json({ name: "pay/api", tags: ["2", "1"] }),
      "/v2/pay/web/tags/list?n=1000": () => Response.json({ name: "pay/web", tags: null }),
    });
    const client = hostedImages({ url: "http://registry.test", fetch: reg.fetch, signingKey });
    expect(await client.list("pay")).toEqual([{ name: "pay/api", tags: ["1", "2"] }]);
    expect(reg.seen[0]!.access).toEqual([{ type: "registry", name: "catalog", actions: ["*"] }]);
    expect(reg.seen.find((s) => s.path.startsWith("/v2/pay/api/"))!.access).toEqual([{ type: "repository", name: "pay/api", actions: ["pull"] }]);
    expect(reg.seen.some((s) => s.path.includes("pay-x") && s.path.includes("tags"))).toBe(false);
  });

  it("deletes each digest once, by digest; a registry without deletes enabled gets a message that says how to fix it", async () => {
    const head = (digest: string) => () => new Response(null, { status: 200, headers: { "docker-content-digest": digest } });
    const routes: Record<string, (m: string) => Response> = {
      "/v2/_catalog?n=1000": () => Response.json({ repositories: ["pay/api"] }),
      "/v2/pay/api/tags/list?n=1000": () => Response.json({ tags: ["1", "latest"] }),
      "/v2/pay/api/manifests/1": head("sha256:aaa"),
      "/v2/pay/api/manifests/latest": head("sha256:aaa"),
      "/v2/pay/api/manifests/sha256:aaa": () => new Response(null, { status: 202 }),
    };
    const reg = scripted(routes);
    expect(await hostedImages({ url: "http://registry.test", fetch: reg.fetch, signingKey }).purge("pay")).toEqual({ repositories: 1, tags: 2, manifests: 1 });
    expect(reg.seen.filter((s) => s.method === "DELETE").map((s) => s.path)).toEqual(["/v2/pay/api/manifests/sha256:aaa"]);
    expect(reg.seen.find((s) => s.method === "DELETE")!.access).toEqual([{ type: "repository", name: "pay/api", actions: ["pull", "delete"] }]);

    routes["/v2/pay/api/manifests/sha256:aaa"] = () => Response.json({ errors: [{ code: "UNSUPPORTED" }] }, { status: 405 });
    const err = await hostedImages({ url: "http://registry.test", fetch: scripted(routes).fetch, signingKey }).purge("pay").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostedRegistryError);
    expect((err as Error).message).toMatch(/storage\.delete\.enabled: true/);
  });

  it("an unreachable registry or a refused token is a HostedRegistryError saying so", async () => {
    const down = (async () => {
      throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    }) as typeof fetch;
    await expect(hostedImages({ url: "http://registry.test", fetch: down, signingKey }).list("pay")).rejects.toThrow(/can't be reached \(ECONNREFUSED\)/);
    const refusing = scripted({ "/v2/_catalog?n=1000": () => new Response(null, { status: 401 }) });
    await expect(hostedImages({ url: "http://registry.test", fetch: refusing.fetch, signingKey }).purge("pay")).rejects.toThrow(/refused the portal's token/);
  });
});
