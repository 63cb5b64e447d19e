"use client";

import { useActionState } from "react";
import { revokeInviteAction } from "@/app/_actions/members";
import { SubmitButton } from "@/components/ui/button";
import type { ActionState } from "@/lib/server/action-state";

export function RevokeInviteButton({ inviteId }: { inviteId: string }) {
  const [state, action] = useActionState<ActionState, FormData>(revokeInviteAction, { status: "idle" });
  return (
    <form action={action}>
      <input type="hidden" name="inviteId" value={inviteId} />
      <SubmitButton variant="ghost" pendingText="Revoking…">
        Revoke
      </SubmitButton>
      {state.status === "error" && <span className="text-xs text-red-600">{state.message}</span>}
    </form>
  );
}
