import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { CreateTeamForm } from "@/components/settings/create-team-form";
import { signOutAction } from "@/app/_actions/auth";
import { currentSession, currentTeamContext } from "@/lib/server/request";

export const metadata = { title: "Create a team" };

/** Where a signed-in person who is in no team lands (a new account from GitHub or Google, or one removed from every team). */
export default async function WelcomePage() {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  if (await currentTeamContext()) redirect("/apps");
  return (
    <Card>
      <h1 className="text-xl font-semibold">You are not in a team yet</h1>
      <p className="mb-5 mt-1 text-sm text-slate-600">
        Signed in as <strong>{session.user.email}</strong>. Create a team to start, or open the invite link a team admin sent you.
      </p>
      <CreateTeamForm />
      <form action={signOutAction} className="mt-5">
        <button type="submit" className="text-sm font-medium text-brand-600 hover:underline">
          Sign out
        </button>
      </form>
    </Card>
  );
}
