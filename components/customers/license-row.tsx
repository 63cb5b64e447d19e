"use client";

import { useActionState } from "react";
import { revealLicenseAction, revokeLicenseAction } from "@/app/_actions/customers";
import { SubmitButton } from "@/components/ui/button";
import { buttonClass } from "@/components/ui/button-class";
import { CopyableValue } from "@/components/ui/copy-button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { RowError } from "@/components/ui/confirm-form";
import { Badge, shortDate, statusTone } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { licenseTypeLabels } from "@/lib/licenses/types";
import type { ActionState } from "@/lib/server/action-state";
import type { LicenseView } from "./types";

/** One license: status, the ID on request (copy), the signed file, and revoke with a confirmation. */
export function LicenseRow({ license, canWrite }: { license: LicenseView; canWrite: boolean }) {
  const [revealed, reveal] = useActionState<ActionState<{ licenseId: string }>, FormData>(
    revealLicenseAction as (s: ActionState<{ licenseId: string }>, f: FormData) => Promise<ActionState<{ licenseId: string }>>,
    { status: "idle" },
  );
  const [revokeState, revoke] = useActionState<ActionState, FormData>(revokeLicenseAction, { status: "idle" });
  const licenseId = revealed.status === "ok" ? revealed.data?.licenseId : undefined;
  const error = revealed.status === "error" ? revealed.message : null;

  return (
    <tr data-testid="license-row" data-license={license.id} className="align-top">
      <td className="px-4 py-3">
        <p className="font-medium">{license.appName}</p>
        <p className="font-mono text-xs text-slate-500">{license.appSlug}</p>
      </td>
      <td className="px-4 py-3">{licenseTypeLabels[license.type]}</td>
      <td className="px-4 py-3">
        <Badge tone={statusTone[license.status]}>{license.status}</Badge>
      </td>
      <td className="px-4 py-3 text-slate-700">
        {license.status === "revoked" ? <span title="Revoked">revoked {shortDate(license.revokedAt)}</span> : shortDate(license.expiresAt, "never")}
      </td>
      <td className="px-4 py-3 text-slate-700" data-testid="last-pull">
        {license.lastPullAt ? <RelativeTime iso={license.lastPullAt} /> : "never"}
      </td>
      <td className="px-4 py-3">
        {licenseId ? (
          <CopyableValue value={licenseId} label="Copy license ID" testId="license-id" inline />
        ) : (
          <span className="flex items-center gap-2">
            <code className="font-mono text-xs text-slate-500">…{license.hint}</code>
            {canWrite && (
              <form action={reveal}>
                <input type="hidden" name="id" value={license.id} />
                <SubmitButton variant="secondary" className="px-2 py-1 text-xs" pendingText="…">
                  Show ID
                </SubmitButton>
              </form>
            )}
          </span>
        )}
        <RowError message={error} />
      </td>
      <td className="px-4 py-3 text-right">
        {canWrite && (
          <div className="flex flex-wrap justify-end gap-2">
            <a href={`/customers/licenses/${license.id}`} className={buttonClass("secondary", "px-2 py-1 text-xs")}>
              Instructions
            </a>
            <a href={`/customers/licenses/${license.id}/download`} className={buttonClass("secondary", "px-2 py-1 text-xs")} download>
              Download YAML
            </a>
            {license.status !== "revoked" && (
              <ConfirmDialog
                title={`Revoke license …${license.hint}?`}
                trigger="Revoke"
                action={revoke}
                id={license.id}
                question={<>Pulls of {license.appSlug} with license …{license.hint} are refused from the next request on. This cannot be undone.</>}
                confirmLabel="Revoke license"
                pendingText="Revoking…"
                error={revokeState.status === "error" ? revokeState.message : null}
              />
            )}
          </div>
        )}
      </td>
    </tr>
  );
}
