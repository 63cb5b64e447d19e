"use client";

import { useActionState } from "react";
import { createLicenseAction } from "@/app/_actions/customers";
import { Field, optionsOf, SelectField } from "@/components/ui/field";
import { Button, SubmitButton } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import { CopyableValue } from "@/components/ui/copy-button";
import { licenseTypeLabels, licenseTypes } from "@/lib/licenses/types";
import type { ActionState } from "@/lib/server/action-state";

type Created = { licenseId: string; appSlug: string; type: string };

/** Issues a license and shows its ID (it can be shown again later with "Show ID"). */
export function NewLicenseForm({
  customerId,
  customerName,
  apps,
  onClose,
}: {
  customerId: string;
  customerName: string;
  apps: { slug: string; name: string }[];
  onClose: () => void;
}) {
  const [state, action] = useActionState<ActionState<Created>, FormData>(
    createLicenseAction as (s: ActionState<Created>, f: FormData) => Promise<ActionState<Created>>,
    { status: "idle" },
  );
  if (state.status === "ok" && state.data) {
    return (
      <Notice tone="success" className="mt-3">
        <p>
          License issued for <strong>{customerName}</strong> ({state.data.appSlug}, {state.data.type}). Send the customer this license ID: their clusters
          log in to the registry with username <code>LICENSE_ID</code> and this as the password.
        </p>
        <CopyableValue value={state.data.licenseId} label="Copy license ID" testId="new-license-id" />
        <Button variant="ghost" className="mt-2" onClick={onClose}>
          Done
        </Button>
      </Notice>
    );
  }
  if (apps.length === 0) {
    return (
      <Notice tone="warning" className="mt-3">
        A license is for one app: create an app on the Apps page first.
      </Notice>
    );
  }
  return (
    <form action={action} className="mt-3 rounded-md border border-slate-200 bg-slate-50 p-3" noValidate aria-label={`New license for ${customerName}`}>
      <input type="hidden" name="customerId" value={customerId} />
      <div className="grid gap-3 sm:grid-cols-3">
        <SelectField label="App" name="app" defaultValue={state.values?.app ?? apps[0]!.slug} error={state.fields?.app} options={apps.map((a) => ({ value: a.slug, label: `${a.name} (${a.slug})` }))} />
        <SelectField label="Type" name="type" defaultValue={state.values?.type ?? "paid"} error={state.fields?.type} options={optionsOf(licenseTypes, licenseTypeLabels)} />
        <Field
          label="Expires (optional)"
          name="expiresAt"
          type="date"
          defaultValue={state.values?.expiresAt ?? ""}
          error={state.fields?.expiresAt}
          hint="Valid through the end of that day (UTC). Empty: never."
        />
      </div>
      {state.status === "error" && !state.fields && <Notice tone="error" className="mt-3">{state.message}</Notice>}
      <div className="mt-3 flex gap-2">
        <SubmitButton pendingText="Issuing…">Issue license</SubmitButton>
        <Button variant="ghost" onClick={onClose}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
