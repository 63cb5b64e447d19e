"use client";

import { useEffect, useId, useRef, useSyncExternalStore } from "react";
import { createPortal } from "react-dom";
import { Button } from "./button";

const noSubscription = () => () => {};

/**
 * A modal dialog on the native <dialog>: the browser traps focus inside it, closes it on Escape
 * and returns focus to whatever opened it. Its content mounts only while open, so every opening
 * starts from a fresh form. It lives in document.body, so it inherits no styles from where it is
 * used (a table cell, an empty state). On phones it fills the screen. Put the content in DialogBody (it scrolls) and buttons in
 * DialogFooter (it doesn't).
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  wide = false,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: React.ReactNode;
  children: React.ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const mounted = useSyncExternalStore(noSubscription, () => true, () => false);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open, mounted]);

  if (!mounted) return null;
  return createPortal(
    <dialog
      ref={ref}
      onClose={onClose}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      className={`m-auto max-h-[90vh] w-[calc(100%-2rem)] flex-col overflow-clip rounded-lg border border-slate-200 bg-white p-0 text-left text-slate-900 shadow-xl backdrop:bg-slate-900/40 open:flex max-sm:h-dvh max-sm:max-h-none max-sm:w-full max-sm:max-w-none max-sm:rounded-none max-sm:border-0 ${
        wide ? "max-w-3xl" : "max-w-xl"
      }`}
    >
      {open && (
        <>
          <div className="flex shrink-0 items-start justify-between gap-4 border-b border-slate-200 bg-white px-5 py-4">
            <div className="min-w-0">
              <h2 id={titleId} className="text-lg font-semibold">
                {title}
              </h2>
              {description && (
                <div id={descriptionId} className="mt-0.5 text-sm text-slate-600">
                  {description}
                </div>
              )}
            </div>
            <button
              type="button"
              onClick={onClose}
              className="-mr-1 grid min-h-9 min-w-9 place-items-center rounded-md text-slate-600 hover:bg-slate-100 hover:text-slate-800"
              aria-label="Close dialog"
            >
              <span aria-hidden className="block size-5 text-xl leading-5">
                ×
              </span>
            </button>
          </div>
          {children}
        </>
      )}
    </dialog>,
    document.body,
  );
}

/** The scrolling part of a dialog. A form in a dialog: `<form className={dialogFormClass}><DialogBody>…</DialogBody><DialogFooter>…</DialogFooter></form>`. */
export function DialogBody({ children, className = "" }: { children: React.ReactNode; className?: string }) {
  return (
    <div data-dialog-body className={`min-h-0 flex-1 overflow-y-auto px-5 py-4 ${className}`}>
      {children}
    </div>
  );
}

/** The dialog's buttons, below the scrolling body: always in view. */
export function DialogFooter({ children }: { children: React.ReactNode }) {
  return <div className="flex shrink-0 flex-wrap items-center justify-end gap-2 border-t border-slate-200 bg-white px-5 py-3">{children}</div>;
}

export const dialogFormClass = "flex min-h-0 flex-1 flex-col";

/**
 * A form in a dialog: its fields in the scrolling body, Cancel and the form's own buttons in the
 * footer. The form is not validated by the browser: the server answers per field.
 */
export function DialogForm({
  onCancel,
  buttons,
  children,
  ref,
  ...form
}: Omit<React.FormHTMLAttributes<HTMLFormElement>, "className"> & {
  onCancel: () => void;
  /** The buttons after Cancel (the submit button last). */
  buttons: React.ReactNode;
  children: React.ReactNode;
  ref?: React.Ref<HTMLFormElement>;
}) {
  return (
    <form ref={ref} noValidate {...form} className={dialogFormClass}>
      <DialogBody className="space-y-4">{children}</DialogBody>
      <DialogFooter>
        <Button variant="ghost" onClick={onCancel}>
          Cancel
        </Button>
        {buttons}
      </DialogFooter>
    </form>
  );
}
