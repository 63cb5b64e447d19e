"use client";

import { useActionState } from "react";
import { createTeamAction } from "@/app/_actions/auth";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";

export function CreateTeamForm() {
  const [state, action] = useActionState<ActionState, FormData>(createTeamAction, { status: "idle" });
  return (
    <form action={action} className="flex flex-wrap items-end gap-2" noValidate>
      <Field label="Team name" name="name" required error={state.fields?.name} className="min-w-64" />
      <SubmitButton variant="secondary" pendingText="Creating…">
        Create team
      </SubmitButton>
      {state.status === "error" && !state.fields && <Notice tone="error">{state.message}</Notice>}
    </form>
  );
}
