import { describe, expect, it } from "vitest";
import { outcomeOf } from "./outcome";

const res = (over: Partial<{ headersSent: boolean; statusCode: number; writableFinished: boolean }> = {}) => ({ headersSent: true, statusCode: 200, writableFinished: true, ...over });

describe("outcomeOf", () => {
  it("a whole answer below 400 was pulled", () => {
    expect(outcomeOf(res(), {})).toEqual({ status: 200, result: "pulled" });
    expect(outcomeOf(res({ statusCode: 206 }), {})).toEqual({ status: 206, result: "pulled" });
  });

  it("a body that ended early is incomplete, never a 200", () => {
    expect(outcomeOf(res({ writableFinished: false }), {})).toEqual({ status: 499, result: "incomplete", reason: "client_disconnected" });
    expect(outcomeOf(res({ headersSent: false }), {})).toEqual({ status: 499, result: "incomplete", reason: "client_disconnected" });
    expect(outcomeOf(res({ writableFinished: false }), { broken: true, reason: "upstream_cut" })).toEqual({ status: 502, result: "incomplete", reason: "upstream_cut" });
    expect(outcomeOf(res({ writableFinished: false }), { broken: true, reason: "verification_failed" })).toMatchObject({ result: "incomplete", reason: "verification_failed" });
  });

  it("a refusal keeps the reason noted on the way, else reads one from the upstream's status or ours", () => {
    expect(outcomeOf(res({ statusCode: 401 }), { reason: "revoked_license" })).toEqual({ status: 401, result: "refused", reason: "revoked_license" });
    expect(outcomeOf(res({ statusCode: 502 }), { error: "upstream 403" })).toMatchObject({ result: "refused", reason: "upstream_forbidden" });
    expect(outcomeOf(res({ statusCode: 404 }), {})).toMatchObject({ result: "refused", reason: "upstream_not_found" });
    expect(outcomeOf(res({ statusCode: 400 }), {})).toMatchObject({ result: "refused", reason: "bad_request" });
    expect(outcomeOf(res({ statusCode: 429 }), {})).toMatchObject({ result: "refused", reason: "upstream_rate_limited" });
    expect(outcomeOf(res({ statusCode: 504 }), {})).toMatchObject({ result: "refused", reason: "upstream_unavailable" });
  });
});
