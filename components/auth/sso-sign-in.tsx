"use client";

import { useId, useState, useTransition } from "react";
import { nextAuthMessages } from "@/lib/auth/sign-in-error";
import { buttonClass } from "@/components/ui/button-class";
import { startSsoAction } from "@/app/(auth)/sign-in/sso-action";

/**
 * Starts next-auth's `sso` provider the way next-auth's own client does (its CSRF token, then the
 * sign-in POST answered with the provider's URL), and goes there. A refusal comes back as the
 * sign-in page with an error code, shown here.
 */
async function goToProvider(): Promise<string | null> {
  const { csrfToken } = (await (await fetch("/api/auth/csrf")).json()) as { csrfToken: string };
  const res = await fetch("/api/auth/signin/sso", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, callbackUrl: `${window.location.origin}/apps`, json: "true" }),
  });
  const url = res.headers.get("content-type")?.includes("application/json") ? ((await res.json()) as { url?: string }).url : res.url;
  const error = url ? new URL(url, window.location.href).searchParams.get("error") : "Default";
  if (!url || (error && new URL(url, window.location.href).origin === window.location.origin)) return nextAuthMessages[error ?? "Default"] ?? nextAuthMessages.Default!;
  window.location.href = url;
  return null;
}

/**
 * "Sign in with SSO": the work email chooses the team (its verified domain), then the browser
 * goes to that team's identity provider through next-auth's `sso` provider.
 */
export function SsoSignIn() {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const id = useId();
  if (!open) {
    return (
      <div className="mt-5 border-t border-slate-200 pt-5">
        <button type="button" className={buttonClass("secondary", "w-full")} onClick={() => setOpen(true)}>
          Sign in with SSO
        </button>
      </div>
    );
  }
  const submit = (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    start(async () => {
      const r = await startSsoAction(data);
      if (r.status !== "ok") return setError(r.message ?? "Single sign-on could not start.");
      setError(await goToProvider().catch(() => nextAuthMessages.OAuthSignin!));
    });
  };
  return (
    <form onSubmit={submit} noValidate className="mt-5 space-y-3 border-t border-slate-200 pt-5" aria-label="Sign in with SSO">
      <div>
        <label htmlFor={id} className="block text-sm font-medium text-slate-800">
          Work email
        </label>
        <input
          id={id}
          name="email"
          type="email"
          autoComplete="email"
          autoFocus
          required
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : `${id}-hint`}
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-brand-600 focus:ring-2 focus:ring-brand-100"
        />
        {error ? (
          <p id={`${id}-error`} className="mt-1 text-xs font-medium text-red-600">
            {error}
          </p>
        ) : (
          <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
            Your team&apos;s identity provider is found from your email&apos;s domain.
          </p>
        )}
      </div>
      <button type="submit" disabled={pending} aria-busy={pending} className={buttonClass("primary", "w-full")}>
        {pending ? "Opening your identity provider…" : "Continue with SSO"}
      </button>
    </form>
  );
}
