"use client";

import { useActionState } from "react";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import { TWO_FACTOR_REQUIRED, decodeSignInError } from "@/lib/auth/sign-in-error";
import { EmailField, PasswordField } from "./account-fields";

interface SignInState {
  step: "password" | "code";
  status: "idle" | "error" | "ok";
  message?: string;
  fields?: Record<string, string>;
  email?: string;
  /** Kept in memory (never in the page) between the password and the code step. */
  password?: string;
}

/**
 * Email and password through next-auth's Credentials provider (next-auth's CSRF token and
 * cookies), then, for an account with two-factor authentication, a second step in the same form
 * asking for the code. Errors are shown inline; a success loads `next`.
 */
export function SignInForm({ inviteToken, inviteEmail, welcome }: { inviteToken?: string; inviteEmail?: string; welcome?: boolean }) {
  const next = inviteToken ? "/apps?joined=1" : welcome ? "/apps?welcome=1" : "/apps";
  const router = useRouter();
  const [state, action] = useActionState<SignInState, FormData>(
    async (prev, form) => {
      const email = prev.step === "code" ? prev.email! : String(form.get("email") ?? "");
      const password = prev.step === "code" ? prev.password! : String(form.get("password") ?? "");
      const code = prev.step === "code" ? String(form.get("code") ?? "") : undefined;
      const result = await signIn("credentials", { redirect: false, email, password, ...(code !== undefined && { code }), ...(inviteToken && { inviteToken }) });
      if (result && !result.error) {
        router.push(next);
        return { step: prev.step, status: "ok", email };
      }
      const error = decodeSignInError(result?.error ?? "Default");
      if (error.code === TWO_FACTOR_REQUIRED) return { step: "code", status: prev.step === "code" ? "error" : "idle", message: prev.step === "code" ? error.message : undefined, email, password };
      return { step: prev.step, status: "error", message: error.message, fields: error.fields, email, password: prev.step === "code" ? password : undefined };
    },
    { step: "password", status: "idle" },
  );
  const showNotice = state.status === "error" && (!state.fields || state.message !== "Some fields need attention.");
  return (
    <form action={action} className="space-y-4" noValidate>
      {showNotice && <Notice tone="error">{state.message}</Notice>}
      {state.step === "password" ? (
        <>
          <EmailField inviteEmail={inviteEmail} typed={state.email} error={state.fields?.email} />
          <PasswordField error={state.fields?.password} />
        </>
      ) : (
        <>
          <p className="text-sm text-slate-700">
            Enter the 6-digit code from your authenticator app for <strong>{state.email}</strong>, or one of your recovery codes.
          </p>
          <Field label="Authentication code" name="code" autoComplete="one-time-code" inputMode="text" autoFocus required error={state.fields?.code} />
        </>
      )}
      <SubmitButton className="w-full" pendingText="Signing in…" disabled={state.status === "ok"}>
        {state.step === "code" ? "Verify" : inviteToken ? "Sign in and join" : "Sign in"}
      </SubmitButton>
    </form>
  );
}
