import { describe, expect, it } from "vitest";
import type { ZodType } from "zod";
import {
  cacheEventBatchResponseSchema,
  cacheTagResponseSchema,
  changeEventSchema,
  lookupResponseSchema,
  pullEventBatchResponseSchema,
  pullEventBatchSchema,
} from "@/lib/internal/contract";
import { ShapeError, tryRead } from "@/lib/validations/json-checks";
import { readCacheEventsAnswer, readCacheTagAnswer, readChangeEvent, readLookupAnswer, readPullEvent, readPullEventsAnswer } from "./portal-answers";

const UUID = "0f8fad5b-d9cb-469f-a165-70867728950e";
const DIGEST = `sha256:${"a".repeat(64)}`;

const lookup = {
  allowed: true,
  code: "ok",
  reason: "",
  license: { id: UUID, customerId: "c1", teamId: "t1", appId: "a1", expiresAt: null },
  registry: {
    id: UUID,
    name: "vendor",
    endpoint: "https://registry.example.com",
    provider: "other",
    credentialsVersion: 3,
    matchedBy: "name",
    repository: "org/app",
    credentials: { kind: "basic", username: "u", password: "p" },
    allowedRealmHosts: ["auth.example.com"],
    cache: { url: "http://127.0.0.1:5000", repository: "portcullis-cache/r1/org/app", token: "tok", tokenExpiresAt: "2026-12-05T10:00:00.000Z", maxStaleSeconds: 3600 },
  },
};

const pullEvent = {
  id: UUID,
  licenseId: UUID,
  appSlug: "my-app",
  image: "proxy/my-app/nginx",
  reference: "latest",
  action: "pull-manifest",
  status: 200,
  bytes: 1234,
  actor: "203.0.113.7",
  at: "2026-12-05T10:00:00.123Z",
  cache: "hit",
  result: "pulled",
  digest: DIGEST,
  count: 2,
};

/** Every document one change away from `doc`: each field removed, nulled, of another type, emptied; an unknown field added. */
function mutations(doc: unknown): unknown[] {
  const out: unknown[] = [];
  const replaceAt = (root: unknown, path: Array<string | number>, value: unknown, remove = false): unknown => {
    const copy = structuredClone(root) as Record<string | number, unknown>;
    let parent = copy;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const last = path.at(-1)!;
    if (remove) {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else parent[last] = value;
    return copy;
  };
  const walk = (v: unknown, path: Array<string | number>) => {
    if (path.length > 0) {
      out.push(replaceAt(doc, path, undefined, true), replaceAt(doc, path, null), replaceAt(doc, path, 12.5), replaceAt(doc, path, -1), replaceAt(doc, path, ""), replaceAt(doc, path, "x"), replaceAt(doc, path, true), replaceAt(doc, path, []), replaceAt(doc, path, {}));
    }
    if (v && typeof v === "object") {
      if (!Array.isArray(v)) out.push(path.length === 0 ? { ...(v as object), extra: 1 } : replaceAt(doc, path, { ...(v as object), extra: 1 }));
      for (const [k, child] of Object.entries(v)) walk(child, [...path, Array.isArray(v) ? Number(k) : k]);
    }
  };
  walk(doc, []);
  return [...out, null, "text", 7, []];
}

/** The hand-written reader and the contract's zod schema agree on `doc`: both take it, with the same value, or both refuse it. */
function agree(schema: ZodType, read: (doc: unknown) => unknown, doc: unknown) {
  const zod = schema.safeParse(doc);
  const hand = tryRead(doc, read);
  expect(hand !== undefined, `${JSON.stringify(doc)}: zod ${zod.success ? "accepts" : "refuses"} it`).toBe(zod.success);
  if (zod.success) expect(hand).toEqual(zod.data);
}

describe("the portal's answers, read without zod", () => {
  const cases: Array<[string, ZodType, (doc: unknown) => unknown, unknown[]]> = [
    [
      "lookup answer",
      lookupResponseSchema,
      readLookupAnswer,
      [
        lookup,
        { allowed: false, code: "revoked", reason: "This license was revoked." },
        { ...lookup, registry: { ...lookup.registry, name: null, credentials: { kind: "anonymous" }, allowedRealmHosts: undefined, cache: undefined } },
        { ...lookup, registry: { ...lookup.registry, credentials: { kind: "ecr", accessKeyId: "AK", secretAccessKey: "s", region: "eu-west-1" } } },
        { ...lookup, registry: { ...lookup.registry, credentials: { kind: "gcr", jsonKey: "{}" } } },
        { ...lookup, license: { ...lookup.license, expiresAt: "2027-01-01T00:00:00.000Z" } },
      ],
    ],
    ["pull-log batch answer", pullEventBatchResponseSchema, readPullEventsAnswer, [{ accepted: 3, unknownLicense: 0 }, { accepted: 0, unknownLicense: 0, alreadyStored: true }]],
    [
      "cache events answer",
      cacheEventBatchResponseSchema,
      readCacheEventsAnswer,
      [{ accepted: 2 }, { accepted: 2, unknownRegistry: 1, evicted: [{ registryId: UUID, repository: "org/app", digest: DIGEST }] }],
    ],
    ["cache tag answer", cacheTagResponseSchema, readCacheTagAnswer, [{ digest: DIGEST, mediaType: "application/vnd.oci.image.manifest.v1+json", seenAt: "2026-12-05T10:00:00Z" }]],
    ["change event", changeEventSchema, readChangeEvent, [{ kind: "license", id: UUID }]],
    [
      "pull event",
      pullEventBatchSchema.shape.events.element,
      readPullEvent,
      [pullEvent, { ...pullEvent, licenseId: null, cache: undefined, digest: undefined, count: undefined, result: "refused", reason: "revoked_license" }, { ...pullEvent, appSlug: undefined, reference: null, actor: null }],
    ],
  ];

  for (const [name, schema, read, good] of cases) {
    it(`${name}: takes what the contract takes and refuses what it refuses`, () => {
      for (const doc of good) {
        expect(tryRead(doc, read), JSON.stringify(doc)).toBeDefined();
        for (const bad of [doc, ...mutations(doc)]) agree(schema, read, bad);
      }
    });
  }

  it("names the field that is wrong", () => {
    expect(() => readLookupAnswer({ ...lookup, registry: { ...lookup.registry, cache: { ...lookup.registry.cache, token: "" } } })).toThrow(new ShapeError("registry.cache.token must be a string of 1 to any number of characters"));
    expect(() => readLookupAnswer({ ...lookup, code: "maybe" })).toThrow(/^code must be one of ok, unknown_license/);
    expect(() => readLookupAnswer({ ...lookup, registry: { ...lookup.registry, repository: "Org/App" } })).toThrow("registry.repository is not a repository name");
    expect(() => readLookupAnswer({ ...lookup, registry: { ...lookup.registry, credentials: { kind: "basic", username: "u" } } })).toThrow("registry.credentials.password must be a string");
    expect(() => readLookupAnswer("<html>")).toThrow("the document must be an object");
    expect(() => readPullEvent({ ...pullEvent, sneaky: 1 })).toThrow("sneaky is not a known field");
    expect(() => readPullEvent({ ...pullEvent, at: "2026-02-30T10:00:00Z" })).toThrow("at must be an ISO 8601 date and time in UTC");
    expect(() => readPullEvent({ ...pullEvent, licenseId: null, appSlug: undefined })).toThrow("an event without a license needs an app slug");
  });

  it("drops fields it does not know from answers, as the contract's schemas do", () => {
    const answer = readLookupAnswer({ ...lookup, debug: "x", registry: { ...lookup.registry, note: "y" } });
    expect(answer).not.toHaveProperty("debug");
    expect(answer.registry).not.toHaveProperty("note");
    expect(readCacheEventsAnswer({ accepted: 1 }).evicted).toEqual([]);
  });
});
