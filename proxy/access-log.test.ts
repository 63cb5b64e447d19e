import { describe, expect, it } from "vitest";
import { accessLogLines, type AccessLogEntry } from "./access-log";

const entry = (path: string): AccessLogEntry => ({ time: "2026-12-05T00:00:00.000Z", method: "HEAD", route: "manifests", path, status: 200, bytes: 0, ms: 0.4 });
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("accessLogLines", () => {
  it("writes the lines of one turn in one write, one JSON line per request", async () => {
    const writes: string[] = [];
    const lines = accessLogLines((text) => writes.push(text));
    lines.log(entry("/v2/proxy/app/a/manifests/1"));
    lines.log(entry("/v2/proxy/app/b/manifests/1"));
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.split("\n")).toEqual([JSON.stringify(entry("/v2/proxy/app/a/manifests/1")), JSON.stringify(entry("/v2/proxy/app/b/manifests/1")), ""]);
    lines.log(entry("/v2/proxy/app/c/manifests/1"));
    await turn();
    expect(writes).toHaveLength(2);
    await turn();
    expect(writes).toHaveLength(2);
  });

  it("flush writes what is gathered at once, and nothing twice", async () => {
    const writes: string[] = [];
    const lines = accessLogLines((text) => writes.push(text));
    lines.flush();
    expect(writes).toEqual([]);
    lines.log(entry("/v2/proxy/app/a/blobs/x"));
    lines.flush();
    expect(writes).toEqual([JSON.stringify(entry("/v2/proxy/app/a/blobs/x")) + "\n"]);
    await turn();
    expect(writes).toHaveLength(1);
  });
});
