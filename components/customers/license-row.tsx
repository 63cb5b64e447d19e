"use client";

import { useActionState, useState } from "react";
import { revealLicenseAction, revokeLicenseAction } from "@/app/_actions/customers";
import { Button, SubmitButton } from "@/components/ui/button";
import { buttonClass } from "@/components/ui/button-class";
import { CopyButton } from "@/components/ui/copy-button";
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
          <span className="flex items-center gap-2">
            <code data-testid="license-id" className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">
              {licenseId}
            </code>
            <CopyButton value={licenseId} label="Copy license ID" />
          </span>
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
        {error && (
          <p role="alert" className="mt-1 text-xs font-medium text-red-600">
            {error}
          </p>
        )}
      </td>
      <td className="px-4 py-3 text-right">
        {canWrite && (
          <div className="flex flex-wrap justify-end gap-2">
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
          <form action={revoke} className="mt-2 space-y-2 rounded-md border border-red-200 bg-red-50 p-2 text-left">
            <input type="hidden" name="id" value={license.id} />
            <p className="text-xs text-red-900">
              Revoke license …{license.hint} for {license.appSlug}? Pulls with it are refused from the next request on. This cannot be undone.
            </p>
            <div className="flex gap-2">
              <SubmitButton variant="danger" className="px-2 py-1 text-xs" pendingText="Revoking…">
                Revoke license
              </SubmitButton>
              <Button variant="ghost" className="px-2 py-1 text-xs" onClick={() => setConfirming(false)}>
                Cancel
              </Button>
            </div>
          </form>
        )}
      </td>
    </tr>
  );
}
