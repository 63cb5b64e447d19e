"use client";

import { Button, SubmitButton } from "./button";

const sizes = {
  /** In a table row: small text and buttons. */
  row: { form: "space-y-2 rounded-md border border-red-200 bg-red-50 p-2 text-left", text: "text-xs text-red-900", button: "px-2 py-1 text-xs" },
  /** In a card. */
  card: { form: "space-y-2 rounded-md border border-red-200 bg-red-50 p-3", text: "text-sm text-red-900", button: "" },
} as const;

/**
 * Asks before a destructive action: what it does, the action's button and Cancel. Submits the
 * record's `id` to `action`.
 */
export function ConfirmForm({
  action,
  id,
  confirmLabel,
  pendingText,
  onCancel,
  size = "row",
  className = "",
  question,
  children,
}: {
  action: (data: FormData) => void;
  id: string;
  confirmLabel: string;
  pendingText: string;
  onCancel: () => void;
  size?: keyof typeof sizes;
  className?: string;
  /** What happens. */
  question: React.ReactNode;
  /** Below the question: an error. */
  children?: React.ReactNode;
}) {
  const s = sizes[size];
  return (
    <form action={action} className={`${s.form} ${className}`}>
      <input type="hidden" name="id" value={id} />
      <p className={s.text}>{question}</p>
      {children}
      <div className="flex gap-2">
        <SubmitButton variant="danger" className={s.button} pendingText={pendingText}>
          {confirmLabel}
        </SubmitButton>
        <Button variant="ghost" className={s.button} onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

/** An action's error under a row's controls, announced as it appears. */
export function RowError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="mt-1 text-xs font-medium text-red-600">
      {message}
    </p>
  );
}
