"use client";

import { useActionState } from "react";
import { signUpAction } from "@/app/_actions/auth";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";
import { EmailField, PasswordField } from "./account-fields";

export function SignUpForm({ inviteToken, inviteEmail }: { inviteToken?: string; inviteEmail?: string }) {
  const [state, action] = useActionState<ActionState, FormData>(signUpAction, { status: "idle" });
  const v = state.values ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      {state.status === "error" && !state.fields && <Notice tone="error">{state.message}</Notice>}
      {inviteToken && <input type="hidden" name="inviteToken" value={inviteToken} />}
      <EmailField inviteEmail={inviteEmail} typed={v.email} error={state.fields?.email} />
      <PasswordField isNew error={state.fields?.password} />
      {!inviteToken && (
        <Field
          label="Team name"
          name="teamName"
          required
          defaultValue={v.teamName}
          hint="Your company or group. You can invite teammates next."
          error={state.fields?.teamName}
        />
      )}
      <SubmitButton className="w-full" pendingText="Creating account…">
        {inviteToken ? "Create account and join" : "Create account"}
      </SubmitButton>
    </form>
  );
}
