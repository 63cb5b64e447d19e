import Link from "next/link";
import { NavLinks } from "@/components/shell/nav-links";
import { TeamSwitcher } from "@/components/shell/team-switcher";
import { signOutAction } from "@/app/_actions/auth";
import { requireTeamContext } from "@/lib/server/request";
import { roleLabels } from "@/lib/teams/schemas";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const ctx = await requireTeamContext();
  const teams = await ctx.db.membership.findMany({
    where: { userId: ctx.userId },
    select: { team: { select: { id: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
  return (
    <div className="flex min-h-screen">
      <aside className="flex w-60 shrink-0 flex-col gap-4 border-r border-slate-200 bg-white py-4">
        <Link href="/apps" className="flex items-center gap-2 px-4 text-base font-semibold text-brand-900">
          <span aria-hidden className="grid size-7 place-items-center rounded-md bg-brand-600 text-sm text-white">P</span>
          Portcullis
        </Link>
        <TeamSwitcher teams={teams.map((m) => m.team)} activeTeamId={ctx.teamId} />
        <div className="px-2">
          <NavLinks />
        </div>
        <div className="mt-auto border-t border-slate-200 px-4 pt-3 text-xs text-slate-600">
          <p className="truncate font-medium text-slate-800" title={ctx.email}>
            {ctx.email}
          </p>
          <p>{roleLabels[ctx.role]}</p>
          <form action={signOutAction} className="mt-2">
            <button type="submit" className="text-sm font-medium text-brand-600 hover:underline">
              Sign out
            </button>
          </form>
        </div>
      </aside>
      <main className="min-w-0 flex-1 px-8 py-8">{children}</main>
    </div>
  );
}
