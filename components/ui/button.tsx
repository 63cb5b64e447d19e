"use client";

import { useFormStatus } from "react-dom";

import { buttonClass, type ButtonVariant } from "./button-class";

export { buttonClass, type ButtonVariant };

export function Button({
  variant = "primary",
  className = "",
  ...props
}: React.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; ref?: React.Ref<HTMLButtonElement> }) {
  return <button type="button" {...props} className={buttonClass(variant, className)} />;
}

/** A submit button for a form that tracks its own progress (a submit handler with a transition): disabled and busy while `pending`. */
export function PendingButton({
  pending,
  pendingText,
  variant = "primary",
  className = "",
  children,
}: {
  pending: boolean;
  pendingText: string;
  variant?: ButtonVariant;
  className?: string;
  children: React.ReactNode;
}) {
  return (
    <button type="submit" disabled={pending} aria-busy={pending} className={buttonClass(variant, className)}>
      {pending ? pendingText : children}
    </button>
  );
}

/** A submit button that shows progress and blocks double submits while its form is pending. */
export function SubmitButton({
  children,
  pendingText,
  variant = "primary",
  className = "",
  ...props
}: React.ButtonHTMLAttributes<HTMLButtonElement> & { pendingText?: string; variant?: ButtonVariant }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" disabled={pending || props.disabled} aria-busy={pending} {...props} className={buttonClass(variant, className)}>
      {pending && <span className="size-3.5 animate-spin rounded-full border-2 border-current border-r-transparent" aria-hidden />}
      {pending ? (pendingText ?? children) : children}
    </button>
  );
}
