import "server-only";
import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { invoke, type Operation } from "./operation";
import { currentTeamContext } from "./request";
import { AppError, toAppError } from "@/lib/errors";
import { echoValues, formObject, type ActionState } from "./action-state";

/**
 * Runs a team operation from a form: resolves the session, team and role (again — server
 * actions are public endpoints), validates, and turns any error into form state.
 */
export async function runFormAction<S extends z.ZodType, R>(
  op: Operation<S, R>,
  formData: FormData,
  opts: { revalidate?: string; message?: (result: R) => string } = {},
): Promise<ActionState<R>> {
  try {
    const ctx = await currentTeamContext();
    if (!ctx) throw new AppError("unauthenticated", "Your session has ended. Sign in again.");
    const result = await invoke(op, ctx, formObject(formData));
    if (opts.revalidate) revalidatePath(opts.revalidate);
    return { status: "ok", data: result, message: opts.message?.(result) };
  } catch (e) {
    const err = toAppError(e);
    return { status: "error", message: err.message, fields: err.fields, values: echoValues(formData) };
  }
}
