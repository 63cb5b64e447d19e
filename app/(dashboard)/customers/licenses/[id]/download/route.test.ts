import { beforeEach, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";

const state = vi.hoisted(() => ({ signedIn: true, result: null as unknown, calls: [] as unknown[] }));
vi.mock("@/lib/server/request", () => ({ currentTeamContext: () => Promise.resolve(state.signedIn ? { teamId: "t1", role: "read_only" } : null) }));
vi.mock("@/lib/server/operation", () => ({
  invoke: (_op: unknown, _ctx: unknown, input: unknown) => {
    state.calls.push(input);
    return state.result instanceof Error ? Promise.reject(state.result) : Promise.resolve(state.result);
  },
}));
vi.mock("@/lib/licenses/operations", () => ({ licenseFile: { name: "licenses.file" } }));

const { GET } = await import("./route");
const download = (id = "lic-1") => GET(new Request(`http://portal.test/customers/licenses/${id}/download`), { params: Promise.resolve({ id }) });

describe("the license file download", () => {
  beforeEach(() => {
    state.signedIn = true;
    state.calls = [];
  });

  it("sends the signed YAML as an attachment nothing caches", async () => {
    state.result = { filename: "acme-license.yaml", yaml: "apiVersion: v1\n" };
    const res = await download();
    expect(res.status).toBe(200);
    expect(Object.fromEntries(res.headers)).toEqual({
      "content-type": "application/yaml; charset=utf-8",
      "content-disposition": 'attachment; filename="acme-license.yaml"',
      "cache-control": "no-store",
    });
    expect(await res.text()).toBe("apiVersion: v1\n");
    expect(state.calls).toEqual([{ id: "lic-1" }]);
  });

  it("asks a signed-out browser to sign in, in one line of text", async () => {
    state.signedIn = false;
    const res = await download();
    expect([res.status, res.headers.get("content-type"), await res.text()]).toEqual([401, "text/plain; charset=utf-8", "Sign in to download license files.\n"]);
    expect(state.calls).toEqual([]);
  });

  it("answers another team's or a missing license with the error's status and message as text", async () => {
    state.result = new AppError("not_found", "That license does not exist.");
    const res = await download();
    expect([res.status, res.headers.get("cache-control"), await res.text()]).toEqual([404, "no-store", "That license does not exist.\n"]);
  });
});
