"use client";

import { useActionState } from "react";
import { inviteMemberAction } from "@/app/_actions/members";
import { Field, optionsOf, SelectField } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import { CopyableValue } from "@/components/ui/copy-button";
import { roleLabels, roles } from "@/lib/teams/role-names";
import type { ActionState } from "@/lib/server/action-state";

type Invite = { email: string; token: string; expiresAt: string | Date };

export function InviteForm({ baseUrl }: { baseUrl: string }) {
  const [state, action] = useActionState<ActionState<Invite>, FormData>(
    inviteMemberAction as (s: ActionState<Invite>, f: FormData) => Promise<ActionState<Invite>>,
    { status: "idle" },
  );
  const link = state.status === "ok" && state.data ? `${baseUrl}/invite/${state.data.token}` : null;
  return (
    <form action={action} className="space-y-3" noValidate>
      <div className="grid gap-3 sm:grid-cols-[1fr_12rem]">
        <Field label="Email" name="email" type="email" required defaultValue={state.status === "error" ? state.values?.email : ""} error={state.fields?.email} />
        <SelectField label="Role" name="role" defaultValue={state.values?.role ?? "developer"} error={state.fields?.role} options={optionsOf(roles, roleLabels)} />
      </div>
      {state.status === "error" && !state.fields && <Notice tone="error">{state.message}</Notice>}
      {link && state.data && (
        <Notice tone="success">
          <p>
            Invite created for <strong>{state.data.email}</strong>. Send them this link — it works once and expires on{" "}
            {new Date(state.data.expiresAt).toUTCString()}. It will not be shown again.
          </p>
          <CopyableValue value={link} label="Copy link" testId="invite-link" />
        </Notice>
      )}
      <SubmitButton pendingText="Creating invite…">Create invite link</SubmitButton>
    </form>
  );
}
