"use client";

import { useActionState } from "react";
import { changeRoleAction, removeMemberAction } from "@/app/_actions/members";
import { endMemberSessionsAction } from "@/app/_actions/sessions";
import { resetMemberTwoFactorAction } from "@/app/_actions/two-factor";
import { SubmitButton } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { RowError } from "@/components/ui/confirm-form";
import { roleLabels, roles, type RoleName } from "@/lib/teams/role-names";
import type { ActionState } from "@/lib/server/action-state";

export function MemberRow({
  member,
  isAdmin,
  isSelf,
}: {
  member: { id: string; email: string; role: RoleName };
  isAdmin: boolean;
  isSelf: boolean;
}) {
  const [roleState, changeRole] = useActionState<ActionState, FormData>(changeRoleAction, { status: "idle" });
  const [removeState, remove] = useActionState<ActionState, FormData>(removeMemberAction, { status: "idle" });
  const [sessionsState, endSessions] = useActionState<ActionState, FormData>(endMemberSessionsAction, { status: "idle" });
  const [resetState, resetTwoFactor] = useActionState<ActionState, FormData>(resetMemberTwoFactorAction, { status: "idle" });
  const error = roleState.status === "error" ? roleState.message : null;
  const done = [sessionsState, resetState].find((s) => s.status === "ok")?.message;
  // Your own role and membership are changed by another admin: no one demotes or removes themselves by a slip.
  const manage = isAdmin && !isSelf;
  return (
    <li className="flex flex-wrap items-center justify-between gap-3 px-4 py-3" data-testid={`member-${member.email}`}>
      <div>
        <p className="font-medium">
          {member.email} {isSelf && <span className="text-xs text-slate-500">(you)</span>}
        </p>
        {!manage && (
          <p className="text-xs text-slate-600">
            {roleLabels[member.role]}
            {isAdmin && " · another admin can change your role or remove you"}
          </p>
        )}
        <RowError message={error} />
        {done && (
          <p className="mt-1 text-xs text-emerald-700" role="status">
            {done}
          </p>
        )}
      </div>
      {isAdmin && (
        <div className="flex flex-wrap items-center gap-2">
          {manage && (
          <form action={changeRole} className="flex items-center gap-1">
            <input type="hidden" name="membershipId" value={member.id} />
            <label className="sr-only" htmlFor={`role-${member.id}`}>
              Role of {member.email}
            </label>
            <select id={`role-${member.id}`} name="role" defaultValue={member.role} className="min-h-9 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm">
              {roles.map((r) => (
                <option key={r} value={r}>
                  {roleLabels[r]}
                </option>
              ))}
            </select>
            <SubmitButton variant="secondary" pendingText="Saving…">
              Change role
            </SubmitButton>
          </form>
          )}
          <MemberActionDialog
            member={member}
            action={endSessions}
            state={sessionsState}
            name="End sessions"
            title={`End the sessions of ${member.email}?`}
            question="Every browser they are signed in with is signed out on its next request. They can sign in again at once."
            pendingText="Ending…"
          />
          <MemberActionDialog
            member={member}
            action={resetTwoFactor}
            state={resetState}
            name="Reset 2FA"
            title={`Reset two-factor authentication of ${member.email}?`}
            question="Their authenticator app and recovery codes stop working. They sign in with their password alone until they set it up again (at once, if the team requires it)."
            pendingText="Resetting…"
          />
          {manage && (
          <ConfirmDialog
            title={`Remove ${member.email}?`}
            trigger="Remove"
            triggerLabel={`Remove ${member.email}`}
            action={remove}
            id={member.id}
            idName="membershipId"
            question="They lose access to this team at once: its apps, registries, customers and licenses. Their API tokens for this team stop working."
            confirmLabel="Remove member"
            pendingText="Removing…"
            error={removeState.status === "error" ? removeState.message : null}
          />
          )}
        </div>
      )}
    </li>
  );
}

/**
 * An action on a member who stays in the team (ending their sessions, resetting their 2FA), behind
 * a confirmation: `name` is the button's text, in the row and in the dialog. The row holds the
 * action's state, and shows its success message.
 */
function MemberActionDialog({
  member,
  action,
  state,
  name,
  title,
  question,
  pendingText,
}: {
  member: { id: string; email: string };
  action: (data: FormData) => void;
  state: ActionState;
  name: string;
  title: string;
  question: string;
  pendingText: string;
}) {
  return (
    <ConfirmDialog
      title={title}
      trigger={name}
      triggerLabel={`${name} of ${member.email}`}
      action={action}
      id={member.id}
      idName="membershipId"
      question={question}
      confirmLabel={name}
      pendingText={pendingText}
      error={state.status === "error" ? state.message : null}
      closeOn={state.status === "ok" ? state : null}
    />
  );
}
