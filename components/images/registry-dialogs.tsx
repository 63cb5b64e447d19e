"use client";

import { rotateRegistryAction, deleteRegistryAction, testRegistryAction, updateRegistryAction } from "@/app/_actions/registries";
import { useState } from "react";
import { PendingButton } from "@/components/ui/button";
import { DialogBody, DialogForm } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { RelativeTime } from "@/components/ui/relative-time";
import type { CredentialFieldView } from "@/lib/registries/providers/types";
import { CredentialFields, type Values } from "./credential-fields";
import { AllowedRealmHostsField, ProxyNameField, TestImageField } from "./registry-fields";
import { ManifestPanel, StepList, TestResult, Testing } from "./test-result";
import type { RegistryRow, TestView } from "./types";
import { useFormAction } from "./use-form-action";

/** The dialogs of a registry's row on the Images page (registries-section.tsx), loaded when they are about to be used. */

export function TestDialogBody({ r, canTest }: { r: RegistryRow; canTest: boolean }) {
  const [image, setImage] = useState("");
  const { state, pending, submit, fields } = useFormAction(testRegistryAction);
  const fresh: TestView | undefined = state?.status === "ok" ? state.data : undefined;
  return (
    <DialogBody className="space-y-4">
      {canTest && (
        <form onSubmit={submit} noValidate className="flex flex-wrap items-end gap-2">
          <input type="hidden" name="id" value={r.id} />
          <TestImageField label="Image (optional)" autoFocus value={image} onChange={setImage} error={fields?.image} className="min-w-64 flex-1"
            hint="A repository and tag (or @digest) on this registry: the test then fetches its manifest." />
          <PendingButton pending={pending} pendingText="Testing…" className="mb-5">
            Run test
          </PendingButton>
        </form>
      )}
      {pending && <Testing host={r.host} />}
      {!pending && state?.status === "error" && !state.fields && <Notice tone="error">{state.message}</Notice>}
      {!pending && fresh && <TestResult result={fresh} />}
      {!pending && !fresh && r.lastTest && (
        <div className="space-y-3">
          <p className="text-sm text-slate-600">
            Last test <RelativeTime iso={r.lastTest.at} />:{" "}
            <span className={r.lastTest.ok ? "font-medium text-emerald-700" : "font-medium text-red-700"}>{r.lastTest.ok ? "passed" : "failed"}</span>.
          </p>
          {r.lastTest.manifest && <ManifestPanel manifest={r.lastTest.manifest} />}
          <StepList steps={r.lastTest.steps} />
        </div>
      )}
      {!pending && !fresh && !r.lastTest && <p className="text-sm text-slate-600">This registry has not been tested yet.</p>}
    </DialogBody>
  );
}

export function RotateDialogBody({
  r,
  fields: credentialFields,
  onDone,
  onCancel,
}: {
  r: RegistryRow;
  fields: readonly CredentialFieldView[];
  onDone: (message?: string) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<Values>(() => Object.fromEntries(credentialFields.filter((f) => f.prefillUsername).map((f) => [f.name, r.username])));
  const [image, setImage] = useState("");
  const [force, setForce] = useState(false);
  const { state, pending, submit, fields } = useFormAction(rotateRegistryAction, (s) => onDone(s.message));
  return (
    <DialogForm
      onSubmit={submit}
      onCancel={onCancel}
      buttons={
        <PendingButton pending={pending} pendingText="Testing…" variant={force ? "danger" : "primary"}>
          {force ? "Replace credentials" : "Test and replace"}
        </PendingButton>
      }
    >
      <input type="hidden" name="id" value={r.id} />
      <p className="text-sm text-slate-600">
        Current: <span className="font-mono text-xs text-slate-800">{r.username}</span>, set <RelativeTime iso={r.credentialsUpdatedAt} />
        {r.credentialsUpdatedBy ? ` by ${r.credentialsUpdatedBy}` : ""}. Pulls keep using them until the new ones are in place — at once, in one step.
      </p>
      <CredentialFields fields={credentialFields} values={values} set={(n, v) => setValues((x) => ({ ...x, [n]: v }))} errors={fields} replacing />
      <TestImageField value={image} onChange={setImage} error={fields?.image} hint="Proves the new credentials can pull this image, not only sign in." />
      <label className="flex items-start gap-2 text-sm text-slate-800">
        <input type="checkbox" name="force" checked={force} onChange={(e) => setForce(e.target.checked)} className="mt-0.5 size-4 accent-red-600" />
        <span>
          Replace even if the test fails
          <span className="block text-xs text-slate-500">For when the registry can&apos;t be reached from here right now.</span>
        </span>
      </label>
      {force && (
        <Notice tone="warning">
          Forcing skips the safety net: if the new credentials are wrong, every pull through the proxy from {r.host} fails until you rotate again.
        </Notice>
      )}
      {pending && <Testing host={r.host} />}
      {!pending && state?.status === "error" && (state.test ? <Notice tone="warning">The old credentials were kept: nothing changed.</Notice> : <Notice tone="error">{state.message}</Notice>)}
      {!pending && state?.test && <TestResult result={state.test} />}
    </DialogForm>
  );
}

export function RenameDialogBody({ r, proxyHost, onDone, onCancel }: { r: RegistryRow; proxyHost: string; onDone: (message?: string) => void; onCancel: () => void }) {
  const [name, setName] = useState(r.name ?? "");
  const [realmHosts, setRealmHosts] = useState(r.allowedRealmHosts.join(", "));
  const { state, pending, submit, fields } = useFormAction(updateRegistryAction, (s) => onDone(s.message));
  return (
    <DialogForm onSubmit={submit} onCancel={onCancel} buttons={<PendingButton pending={pending} pendingText="Saving…">Save</PendingButton>}>
      <input type="hidden" name="id" value={r.id} />
      <ProxyNameField label="Name" autoFocus proxyHost={proxyHost} value={name} onChange={setName} error={fields?.name}
        hint={(path) => <>Customers can pull {path}. Lowercase letters, digits and dashes. Leave empty to remove the name.</>} />
      {r.name && <Notice tone="warning">Image references that use {r.name} stop working when you change it.</Notice>}
      <AllowedRealmHostsField value={realmHosts} onChange={setRealmHosts} errors={fields} />
      {state?.status === "error" && !state.fields && <Notice tone="error">{state.message}</Notice>}
    </DialogForm>
  );
}

export function DeleteDialogBody({ r, onDone, onCancel }: { r: RegistryRow; onDone: (message?: string) => void; onCancel: () => void }) {
  const { state, pending, submit } = useFormAction(deleteRegistryAction, () => onDone(`Deleted ${r.host} and its credentials.`));
  return (
    <DialogForm
      onSubmit={submit}
      onCancel={onCancel}
      buttons={
        <PendingButton pending={pending} pendingText="Deleting…" variant="danger">
          Delete registry
        </PendingButton>
      }
    >
      <input type="hidden" name="id" value={r.id} />
      <p className="text-sm text-slate-700">
        Customers can no longer pull images from <strong className="font-mono">{r.host}</strong> through Portcullis, and its encrypted credentials are erased. This
        cannot be undone.
      </p>
      <Field
        label={`Type ${r.host} to confirm`}
        name="confirmEndpoint"
        autoFocus
        autoComplete="off"
        spellCheck={false}
        error={state?.status === "error" ? state.fields?.confirmEndpoint : undefined}
      />
      {state?.status === "error" && !state.fields && <Notice tone="error">{state.message}</Notice>}
    </DialogForm>
  );
}
