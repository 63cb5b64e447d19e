"use client";

import { useActionState } from "react";
import { revokeTokenAction } from "@/app/_actions/tokens";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Badge, shortDate, statusTone } from "@/components/ui/badge";
import { roleLabels } from "@/lib/teams/role-names";
import { tokenKindLabels } from "@/lib/tokens/kinds";
import type { ActionState } from "@/lib/server/action-state";
import type { Plain } from "@/lib/server/plain";
import type { ApiTokenDto } from "@/lib/tokens/dto";

/** A token as the Tokens page hands it to this row: dates as strings. */
export type TokenView = Plain<Omit<ApiTokenDto, "userId" | "revokedAt">>;

/** "3 min ago", or the date. */
function since(iso: string | null) {
  if (!iso) return "never";
  const minutes = Math.round((Date.now() - Date.parse(iso)) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 24 * 60) return `${Math.round(minutes / 60)} h ago`;
  return shortDate(iso);
}

export function TokenRow({ token, canRevoke }: { token: TokenView; canRevoke: boolean }) {
  const [state, revoke] = useActionState<ActionState, FormData>(revokeTokenAction, { status: "idle" });
  return (
    <tr data-testid="token-row" data-token-name={token.name} className="align-top">
      <td className="px-4 py-3">
        <p className="font-medium">{token.name}</p>
        <p className="text-xs text-slate-500">
          {tokenKindLabels[token.kind]}
          {token.kind === "user" && token.ownerEmail ? ` · ${token.ownerEmail}` : ""}
        </p>
      </td>
      <td className="px-4 py-3">{roleLabels[token.role]}</td>
      <td className="whitespace-nowrap px-4 py-3 font-mono text-xs text-slate-600">{token.hint}…</td>
      <td className="whitespace-nowrap px-4 py-3 text-slate-700">{shortDate(token.createdAt)}</td>
      <td className="whitespace-nowrap px-4 py-3 text-slate-700">{shortDate(token.expiresAt, "never")}</td>
      <td className="whitespace-nowrap px-4 py-3 text-slate-700" suppressHydrationWarning>
        {since(token.lastUsedAt)}
      </td>
      <td className="px-4 py-3">
        <Badge tone={statusTone[token.status]}>{token.status}</Badge>
      </td>
      <td className="px-4 py-3 text-right">
        {canRevoke && token.status !== "revoked" && (
          <ConfirmDialog
            title={`Revoke ${token.name}?`}
            trigger="Revoke"
            action={revoke}
            id={token.id}
            question="Anything using this token stops working at its next request. This cannot be undone."
            confirmLabel="Revoke token"
            pendingText="Revoking…"
            error={state.status === "error" ? state.message : null}
          />
        )}
      </td>
    </tr>
  );
}
