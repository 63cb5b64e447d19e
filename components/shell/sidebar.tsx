import { signOutAction } from "@/app/_actions/auth";
import { roleLabels } from "@/lib/teams/role-names";
import type { TeamContext } from "@/lib/auth/context";
import { NavLinks } from "./nav-links";
import { TeamSwitcher } from "./team-switcher";

/** The sidebar's content: the team, the pages in the order of the work, who is signed in. */
export function SidebarContent({ ctx, teams, idPrefix }: { ctx: TeamContext; teams: { id: string; name: string }[]; idPrefix: string }) {
  return (
    <>
      <TeamSwitcher teams={teams} activeTeamId={ctx.teamId} idPrefix={idPrefix} />
      <div className="px-2">
        <NavLinks />
      </div>
      <div className="mt-auto border-t border-slate-200 px-4 pt-3 text-xs text-slate-600">
        <p className="truncate font-medium text-slate-800" title={ctx.email}>
          {ctx.email}
        </p>
        <p>{roleLabels[ctx.role]}</p>
        <form action={signOutAction} className="mt-2">
          <button type="submit" className="-mx-1 min-h-8 rounded px-1 text-sm font-medium text-brand-700 underline-offset-2 hover:underline">
            Sign out
          </button>
        </form>
      </div>
    </>
  );
}
