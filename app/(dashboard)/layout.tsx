import { DashboardShell } from "@/components/shell/dashboard-shell";
import { requireTeamContext } from "@/lib/server/request";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const ctx = await requireTeamContext();
  return <DashboardShell ctx={ctx}>{children}</DashboardShell>;
}
