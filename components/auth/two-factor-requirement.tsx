"use client";

import { useActionState } from "react";
import { setTwoFactorRequirementAction } from "@/app/_actions/two-factor";
import { SubmitButton } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";

/** A team admin requires (or stops requiring) two-factor authentication of the team's members. */
export function TwoFactorRequirement({ required, teamName }: { required: boolean; teamName: string }) {
  const [state, action] = useActionState<ActionState, FormData>(setTwoFactorRequirementAction, { status: "idle" });
  return (
    <form action={action} className="space-y-3">
      <p className="text-sm text-slate-700">
        {required
          ? `${teamName} requires two-factor authentication: members without it set it up before they reach the team.`
          : `Two-factor authentication is optional in ${teamName}.`}
      </p>
      <input type="hidden" name="required" value={required ? "false" : "true"} />
      <SubmitButton variant="secondary" pendingText="Saving…">
        {required ? "Stop requiring it" : "Require it of every member"}
      </SubmitButton>
      {state.status === "error" && <Notice tone="error">{state.message}</Notice>}
      {state.status === "ok" && <Notice tone="success">{state.message}</Notice>}
    </form>
  );
}
