"use client";

import { useActionState, useEffect, useState } from "react";
import { appDeletionPreviewAction, deleteAppAction } from "@/app/_actions/apps";
import { Button, SubmitButton } from "@/components/ui/button";
import { Dialog, DialogForm } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import type { AppDeletionPreview } from "@/lib/apps/dto";
import type { ActionState } from "@/lib/server/action-state";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * The confirmation of an app's deletion (admins). Before asking for the slug it says exactly what
 * will happen, from the server's own count: which licenses are revoked, which repositories and
 * tags of the hosted registry are deleted, and that the slug stays reserved for good.
 */
export function DeleteAppDialog({ app, open, onClose }: { app: { id: string; name: string; slug: string }; open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title={`Delete ${app.name}?`} description={<span className="font-mono">{app.slug}</span>}>
      <DeleteAppForm app={app} onClose={onClose} />
    </Dialog>
  );
}

function DeleteAppForm({ app, onClose }: { app: { id: string; name: string; slug: string }; onClose: () => void }) {
  const [preview, setPreview] = useState<ActionState<AppDeletionPreview> | null>(null);
  const [state, remove] = useActionState<ActionState, FormData>(deleteAppAction, { status: "idle" });

  useEffect(() => {
    let cancelled = false;
    void appDeletionPreviewAction(app.id).then((p) => !cancelled && setPreview(p));
    return () => {
      cancelled = true;
    };
  }, [app.id]);

  const p = preview?.status === "ok" ? preview.data : undefined;
  const hosted = p?.hostedRegistry;
  const unreachable = hosted?.configured && !hosted.reachable;

  return (
    <DialogForm
      action={remove}
      onCancel={onClose}
      buttons={
        <SubmitButton variant="danger" pendingText="Deleting…" disabled={!p || !!unreachable}>
          Delete app
        </SubmitButton>
      }
    >
      <input type="hidden" name="id" value={app.id} />
      {!preview && <p className="text-sm text-slate-600">Counting what this deletes…</p>}
      {preview?.status === "error" && <Notice tone="error">{preview.message}</Notice>}
      {p && (
        <ul className="list-disc space-y-2 pl-5 text-sm text-slate-800" aria-label="What deleting does">
          <li>
            {p.licenses.total === 0 ? (
              <>The app has no licenses to revoke.</>
            ) : p.licenses.active === 0 ? (
              <>None of its {plural(p.licenses.total, "license is", "licenses are")} active; they stay in each customer&apos;s history as they are.</>
            ) : (
              <>
                <strong>{plural(p.licenses.active, "active license is", "active licenses are")} revoked</strong>: their customers stop pulling under{" "}
                <code>proxy/{app.slug}/</code> and from the hosted registry at once. Licenses are kept, revoked, in each customer&apos;s history, with an audit event
                each.
              </>
            )}
          </li>
          <li>
            {!hosted?.configured && <>No hosted registry is configured: there are no hosted images to delete.</>}
            {hosted?.configured && hosted.reachable && hosted.repositories.length === 0 && (
              <>The hosted registry has no images under <code>{app.slug}/</code>.</>
            )}
            {hosted?.configured && hosted.reachable && hosted.repositories.length > 0 && (
              <>
                <strong>
                  {plural(hosted.repositories.length, "repository", "repositories")} ({plural(hosted.tags, "tag", "tags")}) in the hosted registry are deleted
                </strong>
                :
                <ul className="mt-1 space-y-0.5 font-mono text-xs text-slate-700">
                  {hosted.repositories.map((r) => (
                    <li key={r.name}>
                      {r.name} — {plural(r.tags, "tag", "tags")}
                    </li>
                  ))}
                </ul>
              </>
            )}
            {unreachable && <>The hosted registry&apos;s images under <code>{app.slug}/</code> must be deleted first, but it can&apos;t be reached right now.</>}
          </li>
          <li>
            <strong>The slug {app.slug} is reserved forever</strong>: no app of any team can use it again, so nobody inherits its image paths or history.
          </li>
        </ul>
      )}
      {unreachable && hosted && !hosted.reachable && (
        <Notice tone="warning">
          {hosted.error} Deleting is refused until the hosted registry answers; nothing is changed meanwhile.
        </Notice>
      )}
      <p className="text-sm text-slate-600">This cannot be undone.</p>
      <Field label={`Type ${app.slug} to confirm`} name="confirmSlug" autoComplete="off" spellCheck={false} autoFocus error={state.fields?.confirmSlug} />
      {state.status === "error" && !state.fields && <Notice tone="error">{state.message}</Notice>}
    </DialogForm>
  );
}
