import "server-only";
import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { invoke, type Operation } from "./operation";
import { currentTeamContext } from "./request";
import { AppError } from "@/lib/errors";
import { toAppError } from "@/lib/server/to-app-error";
import { echoValues, formObject, type ActionState } from "./action-state";

export interface FormActionOptions<R, X extends object> {
  /** The page to re-render after a success. */
  revalidate?: string;
  /** The success message shown by the form. */
  message?: (result: R) => string;
  /** What a failure adds to the form's state beyond its message and fields (e.g. a refused save's connection test). */
  errorDetails?: (error: unknown) => X | undefined;
}

/** A failed form submission's state: the error's safe message and field messages, and the submitted values (secrets excluded). */
export function formErrorState(e: unknown, formData: FormData): ActionState<never> {
  const err = toAppError(e);
  return { status: "error", message: err.message, fields: err.fields, values: echoValues(formData) };
}

/**
 * Runs a team operation from a form: resolves the session, team and role (again — server
 * actions are public endpoints), validates, and turns any error into form state.
 */
export async function runFormAction<S extends z.ZodType, R, X extends object = object>(
  op: Operation<S, R>,
  formData: FormData,
  opts: FormActionOptions<R, X> = {},
): Promise<ActionState<R> & Partial<X>> {
  try {
    const ctx = await currentTeamContext();
    if (!ctx) throw new AppError("unauthenticated", "Your session has ended. Sign in again.");
    const result = await invoke(op, ctx, formObject(formData));
    if (opts.revalidate) revalidatePath(opts.revalidate);
    return { status: "ok", data: result, message: opts.message?.(result) } as ActionState<R> & Partial<X>;
  } catch (e) {
    return { ...formErrorState(e, formData), ...opts.errorDetails?.(e) } as ActionState<R> & Partial<X>;
  }
}
