import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { TwoFactorSetup } from "@/components/auth/two-factor-setup";
import { signOutAction } from "@/app/_actions/auth";
import { currentSession } from "@/lib/server/request";

export const metadata = { title: "Set up two-factor authentication" };

/** Where a team that requires two-factor authentication sends a member who hasn't set it up. */
export default async function RequiredTwoFactorSetupPage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  return (
    <Card>
      <h1 className="text-xl font-semibold">Set up two-factor authentication</h1>
      <p className="mb-5 mt-1 text-sm text-slate-600">Your team requires it. Signed in as <strong>{session.user.email}</strong>.</p>
      <TwoFactorSetup
        done={
          <Link href="/apps" className="inline-block text-sm font-medium text-brand-600 hover:underline">
            Continue to your team
          </Link>
        }
      />
      <form action={signOutAction} className="mt-5 border-t border-slate-200 pt-4">
        <button type="submit" className="text-sm font-medium text-brand-600 hover:underline">
          Sign out
        </button>
      </form>
    </Card>
  );
}
