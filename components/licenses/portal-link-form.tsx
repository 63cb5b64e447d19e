"use client";

import { useActionState } from "react";
import { createPortalLinkAction } from "@/app/(dashboard)/customers/licenses/[id]/actions";
import { SubmitButton } from "@/components/ui/button";
import { CopyableValue } from "@/components/ui/copy-button";
import { Field } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";

type LinkState = ActionState<{ url: string; expiresAt: string }>;

/** Makes a single-use customer portal link and shows it once, to copy. */
export function PortalLinkForm({ licenseId }: { licenseId: string }) {
  const [state, action] = useActionState<LinkState, FormData>(createPortalLinkAction as (s: LinkState, f: FormData) => Promise<LinkState>, { status: "idle" });
  return (
    <div>
      <form action={action} className="flex flex-wrap items-end gap-3" noValidate>
        <input type="hidden" name="id" value={licenseId} />
        <Field
          label="Valid for (days)"
          name="expiresInDays"
          type="number"
          min={1}
          max={30}
          defaultValue={state.values?.expiresInDays ?? "7"}
          error={state.fields?.expiresInDays}
          className="w-36"
        />
        <SubmitButton pendingText="Creating…" className="mb-0.5">
          Create portal link
        </SubmitButton>
      </form>
      {state.status === "error" && !state.fields?.expiresInDays && (
        <Notice tone="error" className="mt-3">
          {state.message}
        </Notice>
      )}
      {state.status === "ok" && state.data && (
        <Notice tone="success" className="mt-3">
          Send this link to the customer. It works once, until {state.data.expiresAt.slice(0, 16).replace("T", " ")} UTC, and is not shown again.
          <CopyableValue value={state.data.url} label="Copy portal link" testId="portal-link" />
        </Notice>
      )}
    </div>
  );
}
