"use client";

import { ScrollingCode } from "@/components/ui/code-block";
import { useActionState, useState } from "react";
import { createTokenAction } from "@/app/_actions/tokens";
import { Field, optionsOf, SelectField } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import { CopyableValue } from "@/components/ui/copy-button";
import { roleLabels, roles, type RoleName } from "@/lib/teams/role-names";
import { tokenKindLabels, type TokenKindName } from "@/lib/tokens/kinds";
import type { ActionState } from "@/lib/server/action-state";

type Created = { token: string; name: string; kind: TokenKindName; role: RoleName };

const kindHelp: Record<TokenKindName, string> = {
  user: "Acts as you, with at most your role — and loses access if you leave the team.",
  service_account: "A named robot identity owned by the team, with a role of its own. For CI.",
  team: "Team-wide, with admin rights. For automation that needs no named identity.",
};

const rank: Record<RoleName, number> = { read_only: 0, developer: 1, admin: 2 };

export function CreateTokenForm({
  isAdmin,
  myRole,
  expiryChoices,
  apiBase,
}: {
  isAdmin: boolean;
  myRole: RoleName;
  expiryChoices: { label: string; value: string }[];
  apiBase: string;
}) {
  const [kind, setKind] = useState<TokenKindName>("user");
  const [state, action] = useActionState<ActionState<Created>, FormData>(async (prev, fd) => {
    const next = await (createTokenAction as (s: ActionState<Created>, f: FormData) => Promise<ActionState<Created>>)(prev, fd);
    // React resets the form after a successful action: keep the kind in step with it.
    if (next.status === "ok") setKind("user");
    return next;
  }, { status: "idle" });
  const kinds: TokenKindName[] = isAdmin ? ["user", "service_account", "team"] : ["user"];
  const created = state.status === "ok" ? state.data : undefined;

  return (
    <form action={action} className="space-y-4" noValidate>
      {created && (
        <Notice tone="success">
          <p>
            Created {tokenKindLabels[created.kind].toLowerCase()} <strong>{created.name}</strong> ({roleLabels[created.role]}).{" "}
            <strong>Copy it now: it is shown only this once.</strong> Portcullis keeps only a hash.
          </p>
          <CopyableValue value={created.token} label="Copy token" testId="new-token" />
          <ScrollingCode label="Example request" className="mt-2 rounded bg-slate-900 p-2">
            {`curl -H "Authorization: Bearer ${created.token.slice(0, 8)}…" ${apiBase}/api/v1/apps`}
          </ScrollingCode>
        </Notice>
      )}
      {state.status === "error" && !state.fields && <Notice tone="error">{state.message}</Notice>}

      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Kind</legend>
        <div className="mt-1 grid gap-2 sm:grid-cols-3">
          {kinds.map((k) => (
            <label
              key={k}
              className={`cursor-pointer rounded-md border p-3 text-sm ${kind === k ? "border-brand-600 bg-brand-50" : "border-slate-300 bg-white hover:bg-slate-50"}`}
            >
              <span className="flex items-center gap-2 font-medium">
                <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                {tokenKindLabels[k]}
              </span>
              <span className="mt-1 block text-xs text-slate-600">{kindHelp[k]}</span>
            </label>
          ))}
        </div>
        {!isAdmin && <p className="mt-1 text-xs text-slate-500">Service accounts and team tokens are created by team admins.</p>}
      </fieldset>

      <div className="grid gap-3 sm:grid-cols-3">
        <Field
          label="Name"
          name="name"
          required
          error={state.fields?.name}
          placeholder={kind === "service_account" ? "github-actions" : kind === "team" ? "release automation" : "my laptop"}
          hint="Say where it is used: you will see it in the audit log."
        />
        {kind === "user" && (
          <SelectField key="user-role" label="Role" name="role" defaultValue="" error={state.fields?.role} options={optionsOf(roles.filter((r) => rank[r] < rank[myRole]), roleLabels)}>
            <option value="">Same as mine ({roleLabels[myRole]})</option>
          </SelectField>
        )}
        {kind === "service_account" && (
          <SelectField key="sa-role" label="Role" name="role" defaultValue="developer" error={state.fields?.role} options={optionsOf(roles, roleLabels)} />
        )}
        {kind === "team" && (
          <div>
            <p className="block text-sm font-medium text-slate-800">Role</p>
            <p className="mt-1 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">Admin (team-wide)</p>
          </div>
        )}
        <SelectField label="Expires" name="expiresAt" defaultValue={expiryChoices[1]?.value ?? ""} error={state.fields?.expiresAt} options={expiryChoices} />
      </div>
      <SubmitButton pendingText="Creating…">Create token</SubmitButton>
    </form>
  );
}
