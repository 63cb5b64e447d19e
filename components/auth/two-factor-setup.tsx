"use client";

import { useActionState } from "react";
import { confirmTwoFactorAction, startTwoFactorAction } from "@/app/_actions/two-factor";
import { SubmitButton } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Field } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";

/**
 * Turning two-factor authentication on: a new secret (the otpauth:// URI and the base32 secret,
 * each with a copy button), confirmed with a code from the app, then the recovery codes, shown once.
 */
export function TwoFactorSetup({ done }: { done: React.ReactNode }) {
  const [started, start] = useActionState<ActionState<{ secret: string; uri: string }>, FormData>(startTwoFactorAction, { status: "idle" });
  const [confirmed, confirm] = useActionState<ActionState<{ recoveryCodes: string[] }>, FormData>(confirmTwoFactorAction, { status: "idle" });

  if (confirmed.status === "ok" && confirmed.data) {
    const codes = confirmed.data.recoveryCodes;
    return (
      <div className="space-y-4">
        <Notice tone="success">Two-factor authentication is on.</Notice>
        <div>
          <h2 className="text-base font-semibold">Your recovery codes</h2>
          <p className="mt-1 text-sm text-slate-600">
            Each signs you in once if you lose your authenticator. Keep them somewhere safe: they are shown only now.
          </p>
          <ul aria-label="Recovery codes" data-testid="recovery-codes" className="mt-3 grid grid-cols-2 gap-2 rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-sm">
            {codes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ul>
          <div className="mt-2">
            <CopyButton value={codes.join("\n")} label="Copy recovery codes" />
          </div>
        </div>
        {done}
      </div>
    );
  }

  if (started.status !== "ok" || !started.data) {
    return (
      <form action={start} className="space-y-3">
        {started.status === "error" && <Notice tone="error">{started.message}</Notice>}
        <p className="text-sm text-slate-600">
          After your password, signing in will ask for a 6-digit code from an authenticator app (1Password, Google Authenticator, Authy…).
        </p>
        <SubmitButton pendingText="Preparing…">Set up two-factor authentication</SubmitButton>
      </form>
    );
  }

  const { secret, uri } = started.data;
  return (
    <div className="space-y-4">
      <ol className="list-decimal space-y-3 pl-5 text-sm text-slate-700">
        <li>
          Add Portcullis to your authenticator app with this setup link (most apps accept it pasted or opened on the phone)…
          <div className="mt-1 flex items-center gap-2">
            <code data-testid="otpauth-uri" className="block min-w-0 flex-1 truncate rounded bg-slate-100 px-2 py-1 font-mono text-xs" title={uri}>
              {uri}
            </code>
            <CopyButton value={uri} label="Copy setup link" />
          </div>
        </li>
        <li>
          …or type this key into it (time-based, 6 digits, 30 seconds):
          <div className="mt-1 flex items-center gap-2">
            <code data-testid="totp-secret" className="rounded bg-slate-100 px-2 py-1 font-mono text-xs tracking-wider">
              {secret.match(/.{1,4}/g)!.join(" ")}
            </code>
            <CopyButton value={secret} label="Copy key" />
          </div>
        </li>
        <li>Enter the code the app shows to turn it on.</li>
      </ol>
      <form action={confirm} className="flex flex-wrap items-end gap-2" noValidate>
        <Field label="Code from your app" name="code" autoComplete="one-time-code" inputMode="numeric" required error={confirmed.fields?.code} className="w-56" />
        <SubmitButton pendingText="Checking…">Turn on</SubmitButton>
        {confirmed.status === "error" && !confirmed.fields && <Notice tone="error">{confirmed.message}</Notice>}
      </form>
    </div>
  );
}
