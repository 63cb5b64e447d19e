"use client";

import { useId } from "react";
import { Field } from "@/components/ui/field";
import type { RegistryProviderName } from "@/lib/validations/registries";

export type Values = Record<string, string>;

/** The secret-holding inputs of each provider. Their values stay in the browser until submitted, and are never sent back. */
export function CredentialFields({
  provider,
  values,
  set,
  errors,
  replacing = false,
}: {
  provider: RegistryProviderName;
  values: Values;
  set: (name: string, value: string) => void;
  errors?: Record<string, string>;
  /** Rotation: the labels say "new". */
  replacing?: boolean;
}) {
  const bind = (name: string) => ({ name, value: values[name] ?? "", onChange: (e: React.ChangeEvent<HTMLInputElement>) => set(name, e.target.value), error: errors?.[name] });
  // "Username" or, when replacing, "New username".
  const label = (text: string) => (replacing ? `New ${text.charAt(0).toLowerCase()}${text.slice(1)}` : text);
  if (provider === "ecr") {
    return (
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label={replacing ? "New access key ID" : "Access key ID"} autoComplete="off" spellCheck={false} placeholder="AKIAIOSFODNN7EXAMPLE" {...bind("accessKeyId")} />
        <Field label={label("Secret access key")} type="password" autoComplete="new-password" spellCheck={false} {...bind("secretAccessKey")} />
      </div>
    );
  }
  if (provider === "gcr") return <JsonKeyField value={values.jsonKey ?? ""} onChange={(v) => set("jsonKey", v)} error={errors?.jsonKey} label={replacing ? "New JSON key" : "JSON key"} />;
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <Field label={label("Username")} autoComplete="off" spellCheck={false} {...bind("username")} />
      <Field
        label={label("Password or access token")}
        type="password"
        autoComplete="new-password"
        hint="For Docker Hub, GHCR and Quay, prefer a read-only access token."
        {...bind("password")}
      />
    </div>
  );
}

function JsonKeyField({ value, onChange, error, label }: { value: string; onChange: (v: string) => void; error?: string; label: string }) {
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
        name="jsonKey"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        rows={5}
        spellCheck={false}
        autoComplete="off"
        placeholder='{"type": "service_account", "client_email": "…", "private_key": "…"}'
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-note`}
        className={`mt-1 block w-full rounded-md border px-3 py-2 font-mono text-xs shadow-sm outline-none focus:ring-2 ${
          error ? "border-red-500 focus:ring-red-200" : "border-slate-300 focus:border-brand-600 focus:ring-brand-100"
        }`}
      />
      <p id={`${id}-note`} className={`mt-1 text-xs ${error ? "font-medium text-red-600" : "text-slate-500"}`}>
        {error ??
          "Paste the service account's key file or upload it. Give the account read access only (Artifact Registry Reader; Storage Object Viewer for gcr.io). It is sent as _json_key."}
      </p>
    </div>
  );
}
