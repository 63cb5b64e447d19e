import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { filterRegistryOutput, isRoutineRegistryLine } from "./registry-output";

// Lines as Distribution 2.8 writes them (level warn, text formatter), shortened.
const challenge = 'time="2026-12-05T10:21:49Z" level=warning msg="error authorizing context: authorization token required" http.request.uri=/v2/';
const blob = 'time="2026-12-05T10:21:49Z" level=error msg="response completed with error" err.code="blob unknown" err.message="blob unknown to registry" http.response.status=404';
const manifest = 'time="2026-12-05T10:21:50Z" level=error msg="response completed with error" err.code="manifest unknown" err.message="manifest unknown"';
const notification = 'time="2026-12-05T10:21:51Z" level=error msg="retryingsink: error writing events: Post \\"http://127.0.0.1:3000/api/registry/events\\": connection refused, retrying"';

describe("the development registry's output", () => {
  it("drops the routine lines of every push and pull and keeps the rest", () => {
    expect([challenge, blob, manifest].map(isRoutineRegistryLine)).toEqual([true, true, true]);
    expect(isRoutineRegistryLine(notification)).toBe(false);
    expect(isRoutineRegistryLine("panic: listen tcp 127.0.0.1:5000: bind: address already in use")).toBe(false);
  });

  it("filters a stream line by line, across chunks", async () => {
    const input = new PassThrough();
    const out: string[] = [];
    filterRegistryOutput(input, (l) => out.push(l));
    input.write(challenge + "\n" + notification.slice(0, 20));
    input.end(notification.slice(20) + "\n" + blob);
    await new Promise((r) => input.on("end", r));
    expect(out).toEqual([notification + "\n"]);
  });
});
