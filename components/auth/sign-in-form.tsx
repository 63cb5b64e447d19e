"use client";

import { useActionState } from "react";
import { signInAction } from "@/app/_actions/auth";
import { SubmitButton } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";
import { EmailField, PasswordField } from "./account-fields";

export function SignInForm({ inviteToken, inviteEmail, welcome }: { inviteToken?: string; inviteEmail?: string; welcome?: boolean }) {
  const [state, action] = useActionState<ActionState, FormData>(signInAction, { status: "idle" });
  const v = state.values ?? {};
  return (
    <form action={action} className="space-y-4" noValidate>
      {state.status === "error" && (!state.fields || state.message !== "Some fields need attention.") && (
        <Notice tone="error">{state.message}</Notice>
      )}
      {inviteToken && <input type="hidden" name="inviteToken" value={inviteToken} />}
      {welcome && <input type="hidden" name="welcome" value="1" />}
      <EmailField inviteEmail={inviteEmail} typed={v.email} error={state.fields?.email} />
      <PasswordField error={state.fields?.password} />
      <SubmitButton className="w-full" pendingText="Signing in…">
        {inviteToken ? "Sign in and join" : "Sign in"}
      </SubmitButton>
    </form>
  );
}
