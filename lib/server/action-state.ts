/** What a form's server action returns to `useActionState`. */
export interface ActionState<R = unknown> {
  status: "idle" | "ok" | "error";
  message?: string;
  fields?: Record<string, string>;
  /** The submitted values (secrets excluded), so a form keeps them after an error. */
  values?: Record<string, string>;
  data?: R;
}

export const idle: ActionState<never> = { status: "idle" };

/** The form's text values, without any field whose name says it holds a secret. */
export function echoValues(formData: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of formData.entries()) {
    if (typeof v !== "string" || k.startsWith("$") || /password|secret|token|key/i.test(k)) continue;
    out[k] = v;
  }
  return out;
}

export function formObject(formData: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of formData.entries()) if (typeof v === "string" && !k.startsWith("$")) out[k] = v;
  return out;
}
