"use client";

import { useActionState } from "react";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { signUpAction } from "@/app/_actions/auth";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";
import { decodeSignInError } from "@/lib/auth/sign-in-error";
import { EmailField, PasswordField } from "./account-fields";

type SignUpState = ActionState<{ signIn: boolean }>;

export function SignUpForm({ inviteToken, inviteEmail }: { inviteToken?: string; inviteEmail?: string }) {
  const router = useRouter();
  const [state, action] = useActionState<SignUpState, FormData>(async (prev, form) => {
    const result = await signUpAction(prev, form);
    if (result.status !== "ok" || !result.data?.signIn) return result;
    // Joined through an invite: sign the new member in (next-auth sets the session cookie).
    const signedIn = await signIn("credentials", { redirect: false, email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") });
    if (signedIn && !signedIn.error) {
      router.push("/apps?joined=1");
      return result;
    }
    return { status: "error", message: `Your account was created, but signing in failed: ${decodeSignInError(signedIn?.error ?? "Default").message} Sign in to continue.` };
  }, { status: "idle" });
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
      <SubmitButton className="w-full" pendingText="Creating account…" disabled={state.status === "ok"}>
        {inviteToken ? "Create account and join" : "Create account"}
      </SubmitButton>
    </form>
  );
}
