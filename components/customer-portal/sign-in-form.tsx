"use client";

import { useActionState } from "react";
import { licenseSignInAction } from "@/app/(customer)/portal/actions";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";

export function LicenseSignInForm() {
  const [state, action] = useActionState<ActionState, FormData>(licenseSignInAction, { status: "idle" });
  const fieldError = state.fields?.licenseId;
  return (
    <form action={action} className="space-y-4" noValidate>
      {state.status === "error" && !fieldError && <Notice tone="error">{state.message}</Notice>}
      <Field
        label="License ID"
        name="licenseId"
        type="password"
        autoComplete="off"
        spellCheck={false}
        required
        error={fieldError}
        hint="The license ID your vendor sent you (the password of LICENSE_ID)."
      />
      <SubmitButton className="w-full" pendingText="Signing in…">
        Sign in
      </SubmitButton>
    </form>
  );
}
