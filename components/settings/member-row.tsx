"use client";

import { useActionState } from "react";
import { changeRoleAction, removeMemberAction } from "@/app/_actions/members";
import { endMemberSessionsAction } from "@/app/_actions/sessions";
import { resetMemberTwoFactorAction } from "@/app/_actions/two-factor";
import { SubmitButton } from "@/components/ui/button";
import { RowError } from "@/components/ui/confirm-form";
import { roleLabels, roles, type RoleName } from "@/lib/teams/schemas";
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
  const error = [roleState, removeState, sessionsState, resetState].find((s) => s.status === "error")?.message ?? null;
  const done = [sessionsState, resetState].find((s) => s.status === "ok")?.message;
  return (
    <li className="flex flex-wrap items-center justify-between gap-3 px-4 py-3" data-testid={`member-${member.email}`}>
      <div>
        <p className="font-medium">
          {member.email} {isSelf && <span className="text-xs text-slate-500">(you)</span>}
        </p>
        {!isAdmin && <p className="text-xs text-slate-600">{roleLabels[member.role]}</p>}
        <RowError message={error} />
        {done && <p className="mt-1 text-xs text-emerald-700" role="status">{done}</p>}
      </div>
      {isAdmin && (
        <div className="flex items-center gap-2">
          <form action={changeRole} className="flex items-center gap-1">
            <input type="hidden" name="membershipId" value={member.id} />
            <label className="sr-only" htmlFor={`role-${member.id}`}>
              Role of {member.email}
            </label>
            <select id={`role-${member.id}`} name="role" defaultValue={member.role} className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm">
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
          <form
            action={endSessions}
            onSubmit={(e) => {
              if (!confirm(`Sign ${member.email} out of every browser?`)) e.preventDefault();
            }}
          >
            <input type="hidden" name="membershipId" value={member.id} />
            <SubmitButton variant="ghost" pendingText="Ending…" aria-label={`End all sessions of ${member.email}`}>
              End sessions
            </SubmitButton>
          </form>
          <form
            action={resetTwoFactor}
            onSubmit={(e) => {
              if (!confirm(`Turn off two-factor authentication of ${member.email}? They sign in with their password alone until they set it up again.`)) e.preventDefault();
            }}
          >
            <input type="hidden" name="membershipId" value={member.id} />
            <SubmitButton variant="ghost" pendingText="Resetting…" aria-label={`Reset two-factor authentication of ${member.email}`}>
              Reset 2FA
            </SubmitButton>
          </form>
          <form
            action={remove}
            onSubmit={(e) => {
              if (!confirm(`Remove ${member.email} from the team?`)) e.preventDefault();
            }}
          >
            <input type="hidden" name="membershipId" value={member.id} />
            <SubmitButton variant="ghost" className="text-red-700" pendingText="Removing…">
              Remove
            </SubmitButton>
          </form>
        </div>
      )}
    </li>
  );
}
