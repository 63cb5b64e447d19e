import { describe, expect, it } from "vitest";
import { activityOutcome } from "./outcome";

describe("activityOutcome", () => {
  it("says a pull happened only when it did", () => {
    expect(activityOutcome({ action: "pull-manifest", status: 200 })).toEqual({ text: "pulled", ok: true });
    expect(activityOutcome({ action: "pull-manifest", status: 403 })).toEqual({ text: "pull refused (403)", ok: false });
    expect(activityOutcome({ action: "pull-manifest", status: 401 })).toEqual({ text: "pull refused (401)", ok: false });
    expect(activityOutcome({ action: "pull-manifest", status: 429 })).toEqual({ text: "pull refused: too many attempts (429)", ok: false });
    expect(activityOutcome({ action: "pull-manifest", status: 404 })).toEqual({ text: "pull of an unknown image (404)", ok: false });
    expect(activityOutcome({ action: "pull-manifest", status: 502 })).toEqual({ text: "pull failed (502)", ok: false });
  });

  it("a transfer that ended early is incomplete, not pulled", () => {
    expect(activityOutcome({ action: "pull-manifest", status: 499, result: "incomplete" })).toEqual({ text: "pull incomplete (499)", ok: false });
  });

  it("names pushes and deletes the same way", () => {
    expect(activityOutcome({ action: "push-manifest", status: 201 })).toEqual({ text: "pushed", ok: true });
    expect(activityOutcome({ action: "delete-manifest", status: 202 })).toEqual({ text: "deleted", ok: true });
    expect(activityOutcome({ action: "push-manifest", status: 500 })).toEqual({ text: "push failed (500)", ok: false });
  });

  it("says when the proxy's cache answered, and when it did because the vendor's registry failed", () => {
    expect(activityOutcome({ action: "pull-manifest", status: 200, cache: "hit" })).toEqual({ text: "pulled from the cache", ok: true });
    expect(activityOutcome({ action: "pull-manifest", status: 200, cache: "stale" })).toEqual({ text: "pulled from the cache (registry unavailable)", ok: true });
    expect(activityOutcome({ action: "pull-manifest", status: 200, cache: "miss" })).toEqual({ text: "pulled", ok: true });
    expect(activityOutcome({ action: "pull-manifest", status: 502, cache: "miss" })).toEqual({ text: "pull failed (502)", ok: false });
  });
});
