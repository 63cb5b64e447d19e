import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { Notice } from "@/components/ui/notice";
import { SignInForm } from "@/components/auth/sign-in-form";
import { ProviderButtons } from "@/components/auth/provider-buttons";
import { SsoSignIn } from "@/components/auth/sso-sign-in";
import { currentSession } from "@/lib/server/request";
import { oauthButtons } from "@/lib/auth/next-auth/oauth";
import { nextAuthMessages } from "@/lib/auth/sign-in-error";
import { env } from "@/lib/config/env";

export const metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ signedOut?: string; signedUp?: string; error?: string }> }) {
  if (await currentSession()) redirect("/apps");
  const { signedOut, signedUp, error } = await searchParams;
  return (
    <Card>
      <h1 className="text-xl font-semibold">Sign in</h1>
      <p className="mb-5 mt-1 text-sm text-slate-600">Welcome back.</p>
      {signedOut && <Notice className="mb-4">You have signed out.</Notice>}
      {/* next-auth sends a refused external sign-in back here with its error code (only its known codes are shown). */}
      {error && (
        <Notice tone="error" className="mb-4">
          {nextAuthMessages[error] ?? nextAuthMessages.Default}
        </Notice>
      )}
      {/* The same after every sign-up, whether the address was new or already had an account. */}
      {signedUp && (
        <Notice tone="success" className="mb-4">
          Sign-up received. Sign in with your email and the password you chose to continue. If this address already had an account, its password has not changed.
        </Notice>
      )}
      <SignInForm welcome={!!signedUp} />
      <ProviderButtons providers={oauthButtons(env())} />
      <SsoSignIn />
      <p className="mt-5 text-center text-sm text-slate-600">
        New to Portcullis?{" "}
        <Link href="/sign-up" className="font-medium text-brand-600 hover:underline">
          Create an account
        </Link>
      </p>
    </Card>
  );
}
