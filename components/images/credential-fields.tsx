"use client";

import { useId } from "react";
import { Field } from "@/components/ui/field";
import type { CredentialFieldView } from "@/lib/registries/providers/types";

export type Values = Record<string, string>;

/**
 * The secret-holding inputs of a provider, as its file in lib/registries/providers describes them.
 * Their values stay in the browser until submitted, and are never sent back.
 */
export function CredentialFields({
  fields,
  values,
  set,
  errors,
  replacing = false,
}: {
  fields: readonly CredentialFieldView[];
  values: Values;
  set: (name: string, value: string) => void;
  errors?: Record<string, string>;
  /** Rotation: the labels say "new". */
  replacing?: boolean;
}) {
  const label = (f: CredentialFieldView) => (replacing ? f.newLabel : f.label);
  const inputs = fields.filter((f) => f.input !== "json-key");
  return (
    <>
      {inputs.length > 0 && (
        <div className="grid gap-3 sm:grid-cols-2">
          {inputs.map((f) => (
            <Field
              key={f.name}
              label={label(f)}
              name={f.name}
              {...(f.input === "password" ? { type: "password", autoComplete: "new-password" } : { autoComplete: "off" })}
              spellCheck={false}
              placeholder={f.placeholder}
              hint={f.hint}
              value={values[f.name] ?? ""}
              onChange={(e) => set(f.name, e.target.value)}
              error={errors?.[f.name]}
            />
          ))}
        </div>
      )}
      {fields
        .filter((f) => f.input === "json-key")
        .map((f) => (
          <JsonKeyField key={f.name} field={f} label={label(f)} value={values[f.name] ?? ""} onChange={(v) => set(f.name, v)} error={errors?.[f.name]} />
        ))}
    </>
  );
}

/** A JSON key file: pasted, or uploaded and read in the browser. */
function JsonKeyField({ field, label, value, onChange, error }: { field: CredentialFieldView; label: string; value: string; onChange: (v: string) => void; error?: string }) {
  const id = useId();
  const fileId = useId();
  return (
    <div>
      <div className="flex flex-wrap items-end justify-between gap-2">
        <label htmlFor={id} className="block text-sm font-medium text-slate-800">
          {label}
        </label>
        <label htmlFor={fileId} className="cursor-pointer rounded-md border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 focus-within:ring-2 focus-within:ring-brand-100">
          Upload key file…
          <input
            id={fileId}
            type="file"
            accept="application/json,.json"
            className="sr-only"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (file) onChange(await file.text());
              e.target.value = "";
            }}
          />
        </label>
      </div>
      <textarea
        id={id}
        name={field.name}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        rows={5}
        spellCheck={false}
        autoComplete="off"
        placeholder={field.placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-note`}
        className={`mt-1 block w-full rounded-md border px-3 py-2 font-mono text-xs shadow-sm outline-none focus:ring-2 ${
          error ? "border-red-500 focus:ring-red-200" : "border-slate-300 focus:border-brand-600 focus:ring-brand-100"
        }`}
      />
      <p id={`${id}-note`} className={`mt-1 text-xs ${error ? "font-medium text-red-600" : "text-slate-500"}`}>
        {error ?? field.hint}
      </p>
    </div>
  );
}
