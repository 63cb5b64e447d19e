"use client";

import { useActionState } from "react";
import { acceptInviteAction } from "@/app/_actions/auth";
import { SubmitButton } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";

export function AcceptInviteForm({ inviteToken }: { inviteToken: string }) {
  const [state, action] = useActionState<ActionState, FormData>(acceptInviteAction, { status: "idle" });
  return (
    <form action={action} className="space-y-4">
      {state.status === "error" && <Notice tone="error">{state.message}</Notice>}
      <input type="hidden" name="inviteToken" value={inviteToken} />
      <SubmitButton className="w-full" pendingText="Joining…">
        Accept invite
      </SubmitButton>
    </form>
  );
}
