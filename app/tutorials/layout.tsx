import Link from "next/link";
import { Brand } from "@/components/shell/logo-mark";
import { DashboardShell } from "@/components/shell/dashboard-shell";
import { currentTeamContext } from "@/lib/server/request";

/** Tutorials are public: signed in, they sit in the portal's own frame; signed out, under a plain header. */
export default async function TutorialsLayout({ children }: { children: React.ReactNode }) {
  const ctx = await currentTeamContext();
  if (ctx) return <DashboardShell ctx={ctx}>{children}</DashboardShell>;
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-4xl items-center justify-between px-4 py-3 sm:px-6">
          <Brand href="/sign-in" />
          <Link href="/sign-in" className="text-sm font-medium text-brand-700 underline underline-offset-2">
            Sign in
          </Link>
        </div>
      </header>
      <main id="content" className="mx-auto max-w-4xl px-4 py-8 sm:px-6">
        {children}
      </main>
    </div>
  );
}
