"use client";

import { useActionState, useState } from "react";
import { createAppAction } from "@/app/_actions/apps";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import { slugify } from "@/lib/apps/slug";
import type { ActionState } from "@/lib/server/action-state";

/** Name and slug; the slug follows the name until the user edits it. */
export function CreateAppForm() {
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugEdited, setSlugEdited] = useState(false);
  const [state, action] = useActionState<ActionState, FormData>(async (prev, fd) => {
    const next = await createAppAction(prev, fd);
    if (next.status === "ok") {
      setName("");
      setSlug("");
      setSlugEdited(false);
    }
    return next;
  }, { status: "idle" });
  const shownSlug = slugEdited ? slug : slugify(name);

  return (
    <form action={action} className="space-y-3" noValidate>
      {state.status === "ok" && <Notice tone="success">{state.message}</Notice>}
      {state.status === "error" && !state.fields && <Notice tone="error">{state.message}</Notice>}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="App name" name="name" value={name} onChange={(e) => setName(e.target.value)} required error={state.fields?.name} placeholder="Acme Analytics" />
        <Field
          label="Slug"
          name="slug"
          value={shownSlug}
          onChange={(e) => {
            setSlugEdited(true);
            setSlug(e.target.value);
          }}
          error={state.fields?.slug}
          hint="Appears in image paths: proxy/<slug>/… Unique across Portcullis; it can't change later."
          placeholder="acme-analytics"
        />
      </div>
      <SubmitButton pendingText="Creating…">Create app</SubmitButton>
    </form>
  );
}
