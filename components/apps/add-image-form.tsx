"use client";

import { useActionState, useEffect, useRef } from "react";
import { addAppImageAction } from "@/app/_actions/app-images";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";

/** Adds one image by reference; the server's message for the field shows under it. */
export function AddImageForm({ appId, registryHost, slug }: { appId: string; registryHost: string; slug: string }) {
  const [state, action] = useActionState<ActionState, FormData>(addAppImageAction, { status: "idle" });
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state.status === "ok") form.current?.reset();
  }, [state]);
  return (
    <form ref={form} action={action} className="space-y-2" noValidate>
      <input type="hidden" name="id" value={appId} />
      <div className="flex flex-wrap items-start gap-2">
        <Field
          label="Image"
          name="reference"
          className="min-w-0 flex-1 basis-72"
          placeholder="quay.io/acme/api:1.4"
          defaultValue={state.status === "error" ? state.values?.reference : undefined}
          error={state.fields?.reference}
          hint={
            <>
              As your manifests name it, from one of your registries — or <code className="font-mono">{registryHost}/{slug}/&lt;image&gt;:&lt;tag&gt;</code> pushed to the Portcullis registry.
            </>
          }
          spellCheck={false}
          autoComplete="off"
        />
        <SubmitButton pendingText="Adding…" className="mt-6">
          Add image
        </SubmitButton>
      </div>
      {state.status === "error" && !state.fields?.reference && <Notice tone="error">{state.message}</Notice>}
      {state.status === "ok" && <Notice tone="success">{state.message}</Notice>}
    </form>
  );
}
