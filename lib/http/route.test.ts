import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { jsonResponse } from "./responses";
import { defineRoute, type AuthStrategy } from "./route";

const open: AuthStrategy<string> = { authenticate: () => Promise.resolve("caller-1"), challenge: 'Bearer realm="test"' };
const closed: AuthStrategy<string> = { authenticate: () => Promise.resolve(jsonResponse(401, { refused: true })) };
const post = (body: string, headers: Record<string, string> = {}) => new Request("http://portal.test/x", { method: "POST", body, headers });

const echo = defineRoute({
  auth: open,
  body: z.object({ name: z.string().min(1) }),
  limit: 64,
  errors: "json",
  handler: ({ caller, body }) => Promise.resolve(jsonResponse(200, { caller, name: body.name })),
});

describe("defineRoute", () => {
  it("authenticates, reads and validates the body, and answers without caching", async () => {
    const res = await echo(post(JSON.stringify({ name: "acme" })));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ caller: "caller-1", name: "acme" });
  });

  it("refuses a body over the limit before parsing it, chunked or not", async () => {
    const big = JSON.stringify({ name: "x".repeat(100) });
    for (const req of [post(big), post(big, { "content-length": String(big.length) })]) {
      const res = await echo(req);
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({ error: { code: "validation_failed", message: "The request body is larger than 64 bytes." } });
    }
  });

  it("answers a schema failure as a 422 naming the field", async () => {
    const res = await echo(post(JSON.stringify({ name: "" })));
    expect(res.status).toBe(422);
    expect((await res.json()).error.fields).toHaveProperty("name");
  });

  it("answers a refusing strategy's own response, without reading the body", async () => {
    let read = false;
    const route = defineRoute({ auth: closed, body: "object", errors: "json", handler: () => ((read = true), Promise.resolve(new Response("no"))) });
    const res = await route(post("{}"));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ refused: true });
    expect(read).toBe(false);
  });

  it("maps errors once: the strategy's challenge on a 401, Retry-After on a 429, nothing of an unexpected error", async () => {
    const throwing = (e: unknown) => defineRoute({ auth: open, errors: "json", handler: () => Promise.reject(e) });
    const unauth = await throwing(new AppError("unauthenticated", "Who are you?"))(post(""));
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get("www-authenticate")).toBe('Bearer realm="test"');
    const limited = await throwing(new AppError("rate_limited", "Slow down.", { retryAfterSeconds: 30 }))(post(""));
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "30"]);
    const unexpected = await throwing(new Error("password=hunter2 at db-internal"))(post(""));
    expect(unexpected.status).toBe(500);
    expect(await unexpected.text()).not.toMatch(/hunter2|db-internal/);
  });

  it("answers people in plain text and the token service in the OCI error shape", async () => {
    const text = await defineRoute({ auth: open, errors: "text", handler: () => Promise.reject(new AppError("not_found", "No such license.")) })(post(""));
    expect([text.status, text.headers.get("content-type"), await text.text()]).toEqual([404, "text/plain; charset=utf-8", "No such license.\n"]);
    const oci = await defineRoute({ auth: open, errors: "oci", handler: () => Promise.reject(new Error("boom")) })(post(""));
    expect(oci.status).toBe(503);
    expect((await oci.json()).errors[0].code).toBe("UNAVAILABLE");
  });

  it("runs on the database it is given", async () => {
    const fake = { marker: "test-db" } as unknown as Db;
    const route = defineRoute({ auth: open, errors: "json", handler: async ({ deps }) => jsonResponse(200, await deps.db()) });
    const res = await route.with({ db: async () => fake })(new Request("http://portal.test/x"));
    expect(await res.json()).toEqual({ marker: "test-db" });
  });
});
