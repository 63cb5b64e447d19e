"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { renameAppAction } from "@/app/_actions/apps";
import { Button, SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { CopyButton } from "@/components/ui/copy-button";
import type { ActionState } from "@/lib/server/action-state";
import type { Plain } from "@/lib/server/plain";
import type { AppDto } from "@/lib/apps/dto";
import { DeleteAppDialog } from "./delete-app-dialog";

type Mode = "view" | "rename" | "delete";

export function AppRow({ app, canWrite, canDelete }: { app: Plain<AppDto>; canWrite: boolean; canDelete: boolean }) {
  const [mode, setMode] = useState<Mode>("view");
  const [renameState, rename] = useActionState<ActionState, FormData>(async (prev, fd) => {
    const next = await renameAppAction(prev, fd);
    if (next.status === "ok") setMode("view");
    return next;
  }, { status: "idle" });

  return (
    <li className="px-4 py-3" data-testid={`app-${app.slug}`}>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <p className="font-medium">
            <Link href={`/apps/${app.id}`} className="hover:text-brand-700 hover:underline">
              {app.name}
            </Link>
          </p>
          <p className="mt-0.5 flex items-center gap-2 font-mono text-xs text-slate-600">
            <span>{app.slug}</span>
            <CopyButton value={app.slug} label="Copy slug" />
          </p>
        </div>
        {mode === "view" && (
          <div className="flex gap-2">
            <Link href={`/apps/${app.id}`} className="inline-flex items-center rounded-md px-3 py-2 text-sm font-medium text-brand-700 hover:bg-brand-50" aria-label={`Images of ${app.name}`}>
              Images
            </Link>
            {canWrite && (
              <>
            <Button variant="secondary" onClick={() => setMode("rename")}>
              Rename
            </Button>
            {canDelete ? (
              <Button variant="ghost" className="text-red-700" onClick={() => setMode("delete")}>
                Delete
              </Button>
            ) : (
              <Button variant="ghost" disabled title="Only team admins can delete apps." aria-describedby="apps-delete-admins-only">
                Delete
              </Button>
            )}
              </>
            )}
          </div>
        )}
      </div>
      {mode === "rename" && (
        <form action={rename} className="mt-3 flex flex-wrap items-end gap-2" noValidate>
          <input type="hidden" name="id" value={app.id} />
          <Field label="New name" name="name" defaultValue={app.name} autoFocus error={renameState.fields?.name} className="min-w-64" />
          <SubmitButton pendingText="Saving…">Save</SubmitButton>
          <Button variant="ghost" onClick={() => setMode("view")}>
            Cancel
          </Button>
          <p className="w-full text-xs text-slate-500">The slug stays {app.slug}, so image paths keep working.</p>
          {renameState.status === "error" && !renameState.fields && <Notice tone="error">{renameState.message}</Notice>}
        </form>
      )}
      {canDelete && <DeleteAppDialog app={app} open={mode === "delete"} onClose={() => setMode("view")} />}
    </li>
  );
}
