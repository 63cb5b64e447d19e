import { useId } from "react";

const labelClass = { normal: "block text-sm font-medium text-slate-800", compact: "block text-xs font-medium text-slate-700" } as const;
const inputSize = { normal: "px-3 py-2 text-sm", compact: "px-3 py-1.5 font-mono text-xs" } as const;

/** A form control's label above it, its hint and its inline error below, wired for screen readers. */
function LabelledControl({
  label,
  hint,
  error,
  className,
  size = "normal",
  control,
}: {
  label: string;
  hint?: React.ReactNode;
  error?: string;
  className: string;
  size?: keyof typeof labelClass;
  /** The control, given its id and the attributes that tie the hint and the error to it. */
  control: (a11y: { id: string; "aria-invalid"?: true; "aria-describedby"?: string }) => React.ReactNode;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={className}>
      <label htmlFor={id} className={labelClass[size]}>
        {label}
      </label>
      {control({ id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy })}
      {hint && !error && (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="mt-1 text-xs font-medium text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}

/** A labelled input with its hint and inline error, wired for screen readers. `compact`: small monospace text (an image reference beside instructions). */
export function Field({
  label,
  error,
  hint,
  className = "",
  compact = false,
  ...input
}: React.InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string; hint?: React.ReactNode; compact?: boolean }) {
  const size = compact ? "compact" : "normal";
  return (
    <LabelledControl {...{ label, hint, error, className, size }}
      control={(a11y) => (
        <input
          {...a11y}
          {...input}
          className={`mt-1 block w-full rounded-md border ${inputSize[size]} shadow-sm outline-none focus:ring-2 ${
            error ? "border-red-500 focus:ring-red-200" : "border-slate-300 focus:border-brand-600 focus:ring-brand-100"
          }`}
        />
      )}
    />
  );
}

export type Option = { value: string; label: string };

/** Options for a SelectField: each value with its label, in the values' order. */
export const optionsOf = <V extends string>(values: readonly V[], labels: Record<V, string>): Option[] => values.map((value) => ({ value, label: labels[value] }));

/** A labelled select: `options`, after any options given as children. */
export function SelectField({
  label,
  error,
  options = [],
  children,
  className = "",
  ...select
}: React.SelectHTMLAttributes<HTMLSelectElement> & { label: string; name: string; error?: string; options?: readonly Option[] }) {
  return (
    <LabelledControl {...{ label, error, className }}
      control={(a11y) => (
        <select
          {...a11y}
          {...select}
          className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-600 focus:ring-2 focus:ring-brand-100"
        >
          {children}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    />
  );
}
