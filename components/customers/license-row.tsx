"use client";

import { useActionState, useState } from "react";
import { revealLicenseAction, revokeLicenseAction } from "@/app/_actions/customers";
import { Button, SubmitButton } from "@/components/ui/button";
import { buttonClass } from "@/components/ui/button-class";
import { CopyableValue } from "@/components/ui/copy-button";
import { ConfirmForm, RowError } from "@/components/ui/confirm-form";
import { Badge, shortDate, statusTone } from "@/components/ui/badge";
import { licenseTypeLabels } from "@/lib/licenses/schemas";
import type { ActionState } from "@/lib/server/action-state";
import type { LicenseView } from "./types";

/** One license: status, the ID on request (copy), the signed file, and revoke with a confirmation. */
export function LicenseRow({ license, canWrite }: { license: LicenseView; canWrite: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [revealed, reveal] = useActionState<ActionState<{ licenseId: string }>, FormData>(
    revealLicenseAction as (s: ActionState<{ licenseId: string }>, f: FormData) => Promise<ActionState<{ licenseId: string }>>,
    { status: "idle" },
  );
  const [revokeState, revoke] = useActionState<ActionState, FormData>(revokeLicenseAction, { status: "idle" });
  const licenseId = revealed.status === "ok" ? revealed.data?.licenseId : undefined;
  const error = revealed.status === "error" ? revealed.message : revokeState.status === "error" ? revokeState.message : null;

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
            {license.status !== "revoked" && !confirming && (
              <Button variant="ghost" className="px-2 py-1 text-xs text-red-700" onClick={() => setConfirming(true)}>
                Revoke
              </Button>
            )}
          </div>
        )}
        {confirming && license.status !== "revoked" && (
          <ConfirmForm
            action={revoke}
            id={license.id}
            className="mt-2"
            question={<>Revoke license …{license.hint} for {license.appSlug}? Pulls with it are refused from the next request on. This cannot be undone.</>}
            confirmLabel="Revoke license"
            pendingText="Revoking…"
            onCancel={() => setConfirming(false)}
          />
        )}
      </td>
    </tr>
  );
}
