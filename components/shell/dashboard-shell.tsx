import type { TeamContext } from "@/lib/auth/context";
import { Brand } from "./logo-mark";
import { MobileNav } from "./mobile-nav";
import { SidebarContent } from "./sidebar";

/** The signed-in frame of every page: a sidebar from md up, a top bar with a drawer below it. */
export async function DashboardShell({ ctx, children, banner }: { ctx: TeamContext; children: React.ReactNode; banner?: React.ReactNode }) {
  const memberships = await ctx.db.membership.findMany({
    where: { userId: ctx.userId },
    select: { team: { select: { id: true, name: true } } },
    orderBy: { createdAt: "asc" },
  });
  const teams = memberships.map((m) => m.team);
  return (
    <div className="min-h-screen md:flex">
      <a href="#content" className="sr-only z-50 rounded-md bg-white px-3 py-2 text-sm font-medium text-brand-700 focus:not-sr-only focus:fixed focus:left-2 focus:top-2">
        Skip to content
      </a>
      <MobileNav brand={<Brand href="/" />}>
        <SidebarContent ctx={ctx} teams={teams} idPrefix="drawer" />
      </MobileNav>
      <aside className="sticky top-0 hidden h-screen w-60 shrink-0 flex-col gap-4 overflow-y-auto border-r border-slate-200 bg-white py-4 md:flex">
        <div className="px-4">
          <Brand href="/" />
        </div>
        <SidebarContent ctx={ctx} teams={teams} idPrefix="sidebar" />
      </aside>
      <main id="content" tabIndex={-1} className="min-w-0 flex-1 px-4 py-6 focus:outline-none sm:px-6 md:px-8 md:py-8">
        {banner}
        {children}
      </main>
    </div>
  );
}
