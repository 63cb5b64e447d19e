import { describe, expect, it } from "vitest";
import type { LookupResponse } from "@/lib/internal/contract";
import { LicenseCache } from "./license-cache";
import { LicenseGate, licenseFromAuthorization, type GateDecision } from "./license-gate";
import { ProxyMetrics } from "./metrics";
import { PortalUnavailableError, type LookupAnswer } from "./portal-client";
import { RefusalLimiter } from "./refusal-limit";

const basic = (s: string) => `Basic ${Buffer.from(s).toString("base64")}`;
const id = "abcdefghijklmnopqrstuvwxyz0";

describe("licenseFromAuthorization", () => {
  it("reads LICENSE_ID:<id> (user name in any case)", () => {
    expect(licenseFromAuthorization(basic(`LICENSE_ID:${id}`))).toEqual({ kind: "license", licenseId: id });
    expect(licenseFromAuthorization(basic(`license_id:${id}`))).toEqual({ kind: "license", licenseId: id });
  });
  it("uses the hosted registry's rule for the user name: ASCII case only", () => {
    expect(licenseFromAuthorization(basic(`License_Id:${id}`))).toEqual({ kind: "license", licenseId: id });
    expect(licenseFromAuthorization(basic(`lıcense_ıd:${id}`))).toEqual({ kind: "invalid" });
  });
  it("tells missing from unusable credentials", () => {
    expect(licenseFromAuthorization(undefined)).toEqual({ kind: "none" });
    for (const h of [basic(`admin:${id}`), basic(`LICENSE_ID:short`), basic("LICENSE_ID"), `Bearer ${id}`, "Basic !!!", basic(`LICENSE_ID:${id}/../x`), `Basic ${"A".repeat(5000)}`]) {
      expect(licenseFromAuthorization(h), h.slice(0, 40)).toEqual({ kind: "invalid" });
    }
  });
});

const errorOf = (d: GateDecision) => (d.ok ? undefined : d.error);

describe("LicenseGate, on a test clock", () => {
  const T0 = Date.parse("2030-01-01T00:00:00Z");
  const license = { id: "lic-1", customerId: "c", teamId: "t", appId: "a", expiresAt: null as string | null };
  const allowed = (expiresAt: string | null = null): LookupAnswer => ({ status: 200, body: { allowed: true, code: "ok", reason: "ok", license: { ...license, expiresAt } } as LookupResponse });
  const revoked: LookupAnswer = { status: 401, body: { allowed: false, code: "revoked", reason: "The license has been revoked." } as LookupResponse };
  const image = { appSlug: "app", image: ["acme", "api"] };

  function setup(opts: { ttlMs?: number; maxRefusals?: number; blockMs?: number } = {}) {
    let now = T0;
    const clock = { now: () => now, advance: (ms: number) => (now += ms) };
    const portal = { answer: allowed() as LookupAnswer | Error, calls: 0, lookup: async () => (portal.calls++, portal.answer instanceof Error ? Promise.reject(portal.answer) : portal.answer) };
    const metrics = new ProxyMetrics();
    const gate = new LicenseGate({
      portal,
      licenses: new LicenseCache({ ttlMs: opts.ttlMs ?? 5_000, negativeTtlMs: 0, now: clock.now }),
      refusals: new RefusalLimiter({ maxRefusals: opts.maxRefusals ?? 30, blockMs: opts.blockMs ?? 60_000, now: clock.now }),
      metrics,
      now: clock.now,
      realm: "Portcullis",
    });
    return { gate, portal, clock, metrics };
  }

  it("reads a connection's Authorization header once while it stays the same, and a changed one again", () => {
    const { gate } = setup();
    const connection = {};
    const first = gate.credentials(basic(`LICENSE_ID:${id}`), connection);
    expect(first.creds).toEqual({ kind: "license", licenseId: id });
    expect(first.fingerprint).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first.fingerprint).not.toContain(id);
    // The same header on the same connection: the same reading, not a new one.
    expect(gate.credentials(basic(`LICENSE_ID:${id}`), connection)).toBe(first);
    // Another license on that connection, or the same header on another: read for itself.
    const other = gate.credentials(basic(`LICENSE_ID:${"b".repeat(27)}`), connection);
    expect(other.creds).toEqual({ kind: "license", licenseId: "b".repeat(27) });
    expect(other.fingerprint).not.toBe(first.fingerprint);
    expect(gate.credentials(basic(`LICENSE_ID:${id}`), {})).toEqual(first);
    expect(gate.credentials(basic(`admin:${id}`), connection)).toMatchObject({ creds: { kind: "invalid" }, fingerprint: undefined });
    expect(gate.credentials(undefined, connection).creds).toEqual({ kind: "none" });
  });

  it("serves the portal's answer from the cache for the TTL; a revocation is seen once it has passed", async () => {
    const { gate, portal, clock } = setup({ ttlMs: 5_000 });
    expect(await gate.check(id, "10.0.0.1", image)).toMatchObject({ ok: true, cache: "miss" });
    portal.answer = revoked;
    clock.advance(4_999);
    expect(await gate.check(id, "10.0.0.1", image)).toMatchObject({ ok: true, cache: "hit" });
    clock.advance(1);
    const refused = await gate.check(id, "10.0.0.1", image);
    expect(refused).toMatchObject({ ok: false, cache: "miss", error: { status: 401, code: "UNAUTHORIZED", message: "The license has been revoked.", headers: { "www-authenticate": 'Basic realm="Portcullis"' } } });
    expect(portal.calls).toBe(2);
  });

  it("a cached answer stops working at the license's expiry, with no lookup", async () => {
    const { gate, portal, clock } = setup({ ttlMs: 60_000 });
    portal.answer = allowed(new Date(T0 + 1_500).toISOString());
    expect((await gate.check(id, "10.0.0.1", image)).ok).toBe(true);
    clock.advance(1_499);
    expect((await gate.check(id, "10.0.0.1", image)).ok).toBe(true);
    clock.advance(1);
    const expired = await gate.check(id, "10.0.0.1", image);
    expect(expired).toMatchObject({ ok: false, error: { status: 401, code: "UNAUTHORIZED", message: "The license has expired." }, answer: { body: { license: { id: "lic-1" } } } });
    expect(portal.calls).toBe(1);
  });

  it("an address with too many refusals waits out its block (429 with Retry-After, no lookup), then is asked about again", async () => {
    const { gate, portal, clock, metrics } = setup({ maxRefusals: 2, blockMs: 1_500 });
    portal.answer = revoked;
    const guess = (n: number) => `${"g".repeat(26)}${n}`;
    for (const n of [1, 2]) expect((await gate.check(guess(n), "10.0.0.1")).ok).toBe(false);
    const blocked = await gate.check(guess(3), "10.0.0.1");
    expect(blocked).toMatchObject({ ok: false, error: { status: 429, code: "TOOMANYREQUESTS", headers: { "retry-after": "2" } }, logError: "too many refused licenses from this address" });
    expect(portal.calls).toBe(2);
    expect(metrics.refusalBlocks.get()).toBe(1);
    expect(errorOf(await gate.check(guess(4), "10.0.0.2"))).toMatchObject({ status: 401 });
    clock.advance(1_499);
    expect(errorOf(await gate.check(guess(5), "10.0.0.1"))).toMatchObject({ status: 429, headers: { "retry-after": "1" } });
    clock.advance(1);
    expect(errorOf(await gate.check(guess(6), "10.0.0.1"))).toMatchObject({ status: 401 });
    expect(portal.calls).toBe(4);
  });

  it("403 from the portal is DENIED; a portal that can't be asked is 503 with Retry-After", async () => {
    const { gate, portal } = setup();
    portal.answer = { status: 403, body: { allowed: false, code: "wrong_app", reason: "The license does not cover this application." } as LookupResponse };
    expect(errorOf(await gate.check(id, "10.0.0.1", image))).toEqual({ status: 403, code: "DENIED", message: "The license does not cover this application." });
    portal.answer = new PortalUnavailableError("The portal's internal API answered HTTP 502.", 502);
    const down = await gate.check(id, "10.0.0.1", { ...image, appSlug: "other" });
    expect(down).toMatchObject({ ok: false, error: { status: 503, code: "UNAVAILABLE", message: "The license check is temporarily unavailable; try again shortly.", headers: { "retry-after": "5" } } });
    expect(down.ok ? undefined : down.logError).toBe("The portal's internal API answered HTTP 502.");
  });

  it("missing and unusable credentials get the Basic challenge", () => {
    const { gate } = setup();
    expect(gate.refuseCredentials({ kind: "none" })).toMatchObject({ status: 401, message: "Authentication required: log in with user LICENSE_ID and your license ID as the password." });
    expect(gate.refuseCredentials({ kind: "invalid" })).toMatchObject({ status: 401, message: "Log in with user LICENSE_ID and your license ID as the password." });
  });
});
