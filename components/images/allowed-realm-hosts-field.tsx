"use client";

import { Field } from "@/components/ui/field";

/**
 * The registry's allowed token hosts, in the add and the edit dialog: hosts other than the
 * registry's own that may receive its credentials as a token realm (lib/oci/realm.ts).
 */
export function AllowedRealmHostsField({ value, onChange, error }: { value: string; onChange: (value: string) => void; error?: string }) {
  return (
    <Field
      label="Allowed token hosts (optional)"
      name="allowedRealmHosts"
      autoComplete="off"
      spellCheck={false}
      placeholder="e.g. auth.example.com"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      hint="Only if the registry's token service runs on another host: the credentials are sent there. The registry's own host, Docker Hub's and Google's need nothing here. Separate several with commas."
    />
  );
}
