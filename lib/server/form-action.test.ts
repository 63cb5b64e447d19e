import { beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { TeamContext } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { defineOperation } from "./operation";

const session = vi.hoisted(() => ({ ctx: null as TeamContext | null, revalidated: [] as string[] }));
vi.mock("./request", () => ({ currentTeamContext: () => Promise.resolve(session.ctx) }));
vi.mock("next/cache", () => ({ revalidatePath: (p: string) => void session.revalidated.push(p) }));

const { runFormAction } = await import("./form-action");

class RefusedWithDetails extends AppError {
  constructor(readonly detail: string) {
    super("validation_failed", "Refused.");
  }
}

const op = defineOperation({
  name: "things.save",
  permission: "write",
  input: z.object({ name: z.string().min(1, "Name it.") }),
  run: (_ctx, input) => (input.name === "refuse" ? Promise.reject(new RefusedWithDetails("step 2 failed")) : Promise.resolve({ saved: input.name })),
});

const form = (values: Record<string, string>) => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(values)) fd.set(k, v);
  return fd;
};
const details = (e: unknown) => (e instanceof RefusedWithDetails ? { detail: e.detail } : undefined);

describe("runFormAction", () => {
  beforeEach(() => {
    session.ctx = { userId: "u1", email: "a@example.com", teamId: "t1", teamName: "T", role: "developer", ip: null } as unknown as TeamContext;
    session.revalidated = [];
  });

  it("runs the operation for the signed-in team and re-renders the page", async () => {
    const state = await runFormAction(op, form({ name: "x" }), { revalidate: "/things", message: (r) => `Saved ${r.saved}.`, errorDetails: details });
    expect(state).toEqual({ status: "ok", data: { saved: "x" }, message: "Saved x." });
    expect(session.revalidated).toEqual(["/things"]);
  });

  it("adds what the error details hook returns to a failure, and keeps the values but not secrets", async () => {
    const state = await runFormAction(op, form({ name: "refuse", password: "hunter2" }), { errorDetails: details });
    expect(state).toEqual({ status: "error", message: "Refused.", fields: undefined, values: { name: "refuse" }, detail: "step 2 failed" });
  });

  it("adds nothing for other failures, and refuses without a session", async () => {
    expect(await runFormAction(op, form({ name: "" }), { errorDetails: details })).toEqual({ status: "error", message: "Some fields need attention.", fields: { name: "Name it." }, values: { name: "" } });
    session.ctx = null;
    const state = await runFormAction(op, form({ name: "x" }), { revalidate: "/things" });
    expect(state.message).toBe("Your session has ended. Sign in again.");
    expect(session.revalidated).toEqual([]);
  });
});
