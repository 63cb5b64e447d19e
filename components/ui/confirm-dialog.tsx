"use client";

import { useState } from "react";
import { Button, SubmitButton } from "./button";
import { Dialog, DialogBody, DialogFooter, dialogFormClass } from "./dialog";
import { Notice } from "./notice";

/**
 * A destructive action behind a confirmation dialog: the trigger button (`trigger` is its text,
 * `triggerLabel` its accessible name), then the question, the action's error (in the dialog, once)
 * and its button. Submits the record's `id` to `action`. When the record goes, the caller closes
 * it by re-rendering without it; when the record stays (ending a member's sessions), the caller
 * passes the action's latest successful result as `closeOn`, and each new one closes the dialog.
 */
export function ConfirmDialog({
  title,
  trigger,
  triggerLabel,
  question,
  action,
  id,
  idName = "id",
  confirmLabel,
  pendingText,
  error,
  closeOn = null,
}: {
  title: string;
  trigger: string;
  triggerLabel?: string;
  question: React.ReactNode;
  action: (data: FormData) => void;
  id: string;
  /** The form field the id is sent as. */
  idName?: string;
  confirmLabel: string;
  pendingText: string;
  error?: string | null;
  /** A value that changes each time the action succeeds (its result object), or null. */
  closeOn?: object | null;
}) {
  const [open, setOpen] = useState(false);
  const [closedFor, setClosedFor] = useState(closeOn);
  if (closeOn !== closedFor) {
    setClosedFor(closeOn);
    if (closeOn) setOpen(false);
  }
  return (
    <>
      <Button variant="ghost" className="min-h-7 px-2 py-1 text-xs text-red-700" aria-label={triggerLabel} onClick={() => setOpen(true)}>
        {trigger}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={title}>
        <form action={action} className={dialogFormClass}>
          <input type="hidden" name={idName} value={id} />
          <DialogBody className="space-y-3">
            <p className="text-sm text-slate-700">{question}</p>
            {error && <Notice tone="error">{error}</Notice>}
          </DialogBody>
          <DialogFooter>
            <Button variant="ghost" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <SubmitButton variant="danger" pendingText={pendingText}>
              {confirmLabel}
            </SubmitButton>
          </DialogFooter>
        </form>
      </Dialog>
    </>
  );
}
