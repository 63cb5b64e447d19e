"use client";

import { useActionState } from "react";
import { endSessionAction } from "@/app/_actions/sessions";
import { SubmitButton } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { RowError } from "@/components/ui/confirm-form";
import { RelativeTime } from "@/components/ui/relative-time";
import type { ActionState } from "@/lib/server/action-state";

export interface SessionRowData {
  id: string;
  device: string;
  signedInWith: string | null;
  ip: string | null;
  createdAt: string;
  lastUsedAt: string;
  current: boolean;
}

/** One signed-in browser: what it is, where from, when last used and signed in, and its End button. */
export function SessionRow({ session }: { session: SessionRowData }) {
  const [state, end] = useActionState<ActionState, FormData>(endSessionAction, { status: "idle" });
  return (
    <li className="flex flex-wrap items-center justify-between gap-3 px-4 py-3" data-testid={`session-${session.id}`}>
      <div className="min-w-0">
        <p className="font-medium">
          {session.device} {session.current && <Badge tone="green">This device</Badge>}
        </p>
        <p className="text-xs text-slate-600">
          {session.ip ?? "Unknown address"} · last used <RelativeTime iso={session.lastUsedAt} /> · signed in <RelativeTime iso={session.createdAt} />
          {session.signedInWith && ` with ${session.signedInWith}`}
        </p>
        <RowError message={state.status === "error" ? state.message : null} />
      </div>
      <form action={end}>
        <input type="hidden" name="sessionId" value={session.id} />
        <SubmitButton variant="secondary" pendingText="Ending…" aria-label={session.current ? `Sign out here: ${session.device} (this device)` : `End session: ${session.device}`}>
          {session.current ? "Sign out here" : "End session"}
        </SubmitButton>
      </form>
    </li>
  );
}
