"use client";

import { Field } from "@/components/ui/field";

type Props = { value: string; onChange: (value: string) => void; error?: string; autoFocus?: boolean };

/** A one-line text input for a host, name or image reference: no autofill, no spell-check. */
function TextField({ onChange, ...props }: Props & { label: string; name: string; placeholder: string; hint: React.ReactNode; className?: string }) {
  return <Field {...props} autoComplete="off" spellCheck={false} onChange={(e) => onChange(e.target.value)} />;
}

/**
 * The registry's allowed token hosts, in the add and the edit dialog: hosts other than the
 * registry's own that may receive its credentials as a token realm (lib/oci/realm.ts).
 */
export function AllowedRealmHostsField({ errors, ...props }: Omit<Props, "error"> & { errors?: Record<string, string> }) {
  // The list's error, or the first host's ("allowedRealmHosts.2").
  const error = errors?.allowedRealmHosts ?? Object.entries(errors ?? {}).find(([k]) => k.startsWith("allowedRealmHosts."))?.[1];
  return (
    <TextField
      {...props}
      error={error}
      label="Allowed token hosts (optional)"
      name="allowedRealmHosts"
      placeholder="e.g. auth.example.com"
      hint="Only if the registry's token service runs on another host: the credentials are sent there. The registry's own host, Docker Hub's and Google's need nothing here. Separate several with commas."
    />
  );
}

/** An image on the registry (`repository:tag` or `@digest`) whose manifest a connection test fetches. */
export function TestImageField({ label = "Image to test (optional)", hint, className, ...props }: Props & { label?: string; hint: string; className?: string }) {
  return <TextField {...props} label={label} name="image" placeholder="team/app:1.0" hint={hint} className={className} />;
}

/** The registry's name in proxy paths; its hint shows the pull address the name gives. */
export function ProxyNameField({ label, proxyHost, hint, ...props }: Props & { label: string; proxyHost: string; hint: (path: React.ReactNode) => React.ReactNode }) {
  const path = (
    <code className="font-mono">
      {proxyHost}/proxy/&lt;app&gt;/{props.value.trim() || "<name>"}/&lt;repository&gt;
    </code>
  );
  return <TextField {...props} label={label} name="name" placeholder="e.g. prod" hint={hint(path)} />;
}
