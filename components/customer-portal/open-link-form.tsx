"use client";

import { useActionState } from "react";
import { openPortalLinkAction } from "@/app/(customer)/portal/actions";
import { SubmitButton } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";

/** Uses the link up only on this POST: mail scanners that fetch the link's page leave it working. */
export function OpenLinkForm({ token }: { token: string }) {
  const [state, action] = useActionState<ActionState, FormData>(openPortalLinkAction, { status: "idle" });
  return (
    <form action={action} className="space-y-4">
      {state.status === "error" && <Notice tone="error">{state.message}</Notice>}
      <input type="hidden" name="token" value={token} />
      <SubmitButton className="w-full" pendingText="Opening…">
        Open the portal
      </SubmitButton>
    </form>
  );
}
