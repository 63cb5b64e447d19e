import Link from "next/link";
import { Card, PageHeader } from "@/components/ui/card";
import { SessionRow } from "@/components/auth/session-row";
import { listOwnSessions } from "@/lib/auth/session-operations";
import { invoke } from "@/lib/server/operation";
import { requireTeamContext } from "@/lib/server/request";

export const metadata = { title: "Your sessions" };

export default async function SessionsPage() {
  const ctx = await requireTeamContext();
  const sessions = await invoke(listOwnSessions, ctx, {});
  return (
    <>
      <PageHeader title="Your sessions" description="Browsers signed in to your account. End any you don't recognise: that browser is signed out on its next request." />
      <p className="-mt-4 mb-4 text-sm">
        <Link href="/settings" className="font-medium text-brand-600 hover:underline">
          ← Team settings
        </Link>
      </p>
      <Card className="p-0">
        {sessions.length === 0 ? (
          <p className="px-4 py-6 text-sm text-slate-600">No active sessions.</p>
        ) : (
          <ul className="divide-y divide-slate-200" aria-label="Sessions">
            {sessions.map((s) => (
              <SessionRow key={s.id} session={{ ...s, createdAt: s.createdAt.toISOString(), lastUsedAt: s.lastUsedAt.toISOString() }} />
            ))}
          </ul>
        )}
      </Card>
    </>
  );
}
