"use client";

import { useActionState, useRef } from "react";
import { createCustomerAction } from "@/app/_actions/customers";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";

export function CreateCustomerForm() {
  const form = useRef<HTMLFormElement>(null);
  const [state, action] = useActionState<ActionState, FormData>(async (prev, fd) => {
    const next = await createCustomerAction(prev, fd);
    if (next.status === "ok") form.current?.reset();
    return next;
  }, { status: "idle" });
  return (
    <form ref={form} action={action} className="space-y-3" noValidate>
      {state.status === "ok" && <Notice tone="success">{state.message}</Notice>}
      {state.status === "error" && !state.fields && <Notice tone="error">{state.message}</Notice>}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Customer name" name="name" required defaultValue={state.status === "error" ? state.values?.name : ""} error={state.fields?.name} placeholder="Globex Corporation" />
        <Field
          label="Contact email (optional)"
          name="email"
          type="email"
          defaultValue={state.status === "error" ? state.values?.email : ""}
          error={state.fields?.email}
          placeholder="ops@globex.example"
        />
      </div>
      <SubmitButton pendingText="Creating…">Create customer</SubmitButton>
    </form>
  );
}
