import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { handleRegistryToken } from "@/lib/registry-auth/http";
import { setupTestDatabase } from "@/test/support/db";
import { hostileString, repository } from "@/test/support/arbitraries";
import { configureRegistryAuthTestEnv } from "@/test/support/registry-auth";

/**
 * The hosted registry's token service under generated requests: whatever the query, the
 * Authorization header or the OAuth form, the answer is a 200 or a 4xx with a JSON body, never a
 * 500, and an anonymous caller is never granted anything.
 */
configureRegistryAuthTestEnv();

const t = setupTestDatabase();

const scope = fc.oneof(
  hostileString(60),
  fc.tuple(repository, fc.constantFrom("pull", "push", "pull,push", "*", "delete", "")).map(([r, a]) => `repository:${r}:${a}`),
);
/** A value HTTP can carry in a header at all (no NUL, CR, LF, nothing beyond Latin-1). */
const sendable = (v: string) => {
  try {
    new Headers({ authorization: v });
    return true;
  } catch {
    return false;
  }
};
const authorization = fc.option(
  fc
    .oneof(
      hostileString(60),
      fc.tuple(hostileString(20), hostileString(20)).map(([u, p]) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`),
      hostileString(40).map((s) => `Basic ${s}`),
    )
    .filter(sendable),
  { nil: undefined },
);

async function expectHandled(res: Response, what: string) {
  const text = await res.text();
  expect(res.status, `${what} → ${res.status} ${text.slice(0, 200)}`).toBeLessThan(500);
  expect(() => JSON.parse(text), `${what}: a JSON answer`).not.toThrow();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
}

describe("token service under generated requests", () => {
  it("GET: any query and Authorization header get a 200 or a 4xx; anonymous callers get no access", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom("scope", "service", "account", "x"), fc.oneof(scope, hostileString(30))), { maxLength: 5 }), authorization, async (params, auth) => {
        const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&");
        const req = new Request(`http://portal.test/api/registry/token?${query}`, { headers: auth === undefined ? {} : { authorization: auth } });
        const { status, body } = await expectHandled(await handleRegistryToken(req, { db: async () => t.db }), `GET ?${query} auth=${JSON.stringify(auth)}`);
        if (status === 200 && auth === undefined) {
          const claims = JSON.parse(Buffer.from(String(body.token).split(".")[1]!, "base64url").toString()) as { access: unknown[] };
          expect(claims.access).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("POST: any form body gets a 200 or a 4xx", async () => {
    const form = fc.oneof(
      hostileString(200),
      fc
        .array(fc.tuple(fc.constantFrom("grant_type", "username", "password", "scope", "service", "client_id", "refresh_token"), fc.oneof(hostileString(30), fc.constant("password"))), { maxLength: 6 })
        .map((pairs) => new URLSearchParams(pairs).toString()),
    );
    await fc.assert(
      fc.asyncProperty(form, fc.constantFrom("application/x-www-form-urlencoded", "application/json", "text/plain"), async (body, contentType) => {
        const req = new Request("http://portal.test/api/registry/token", { method: "POST", headers: { "content-type": contentType }, body });
        await expectHandled(await handleRegistryToken(req, { db: async () => t.db }), `POST ${contentType} ${JSON.stringify(body).slice(0, 200)}`);
      }),
      { numRuns: 150 },
    );
  });
});
