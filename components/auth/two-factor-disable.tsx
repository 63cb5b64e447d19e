"use client";

import { useActionState } from "react";
import { disableTwoFactorAction } from "@/app/_actions/two-factor";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";

/** Turning two-factor authentication off, confirmed with a current code or a recovery code. */
export function TwoFactorDisable() {
  const [state, action] = useActionState<ActionState, FormData>(disableTwoFactorAction, { status: "idle" });
  if (state.status === "ok") return <Notice tone="success">{state.message}</Notice>;
  return (
    <form action={action} className="flex flex-wrap items-end gap-2" noValidate>
      <Field label="Code to turn it off" name="code" autoComplete="one-time-code" required error={state.fields?.code} hint="A code from your app, or a recovery code." className="w-64" />
      <SubmitButton variant="secondary" pendingText="Turning off…">
        Turn off
      </SubmitButton>
      {state.status === "error" && !state.fields && <Notice tone="error">{state.message}</Notice>}
    </form>
  );
}
