"use client";

import { useState, useTransition } from "react";
import { Badge } from "@/components/ui/badge";
import { CopyButton } from "@/components/ui/copy-button";
import { Field } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { addDomainAction, removeDomainAction, verifyDomainAction, type SsoActionState } from "@/app/(dashboard)/settings/sso/actions";

export interface DomainView {
  id: string;
  domain: string;
  status: "pending" | "verified";
  txtName: string;
  txtValue: string;
  verifiedAt: string | null;
}

function Copyable({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex min-w-0 items-center gap-2">
      <dt className="w-12 shrink-0 text-xs text-slate-500">{label}</dt>
      <dd className="flex min-w-0 flex-1 items-center gap-2">
        <code className="min-w-0 flex-1 break-all rounded bg-slate-50 px-1.5 py-0.5 font-mono text-xs">{value}</code>
        <CopyButton value={value} label={`Copy ${label.toLowerCase()}`} />
      </dd>
    </div>
  );
}

function DomainRow({ d }: { d: DomainView }) {
  const [state, setState] = useState<SsoActionState<unknown> | null>(null);
  const [pending, start] = useTransition();
  const act = (action: (fd: FormData) => Promise<SsoActionState<unknown>>) =>
    start(async () => {
      const fd = new FormData();
      fd.set("id", d.id);
      setState(await action(fd));
    });
  return (
    <li className="space-y-2 px-4 py-3" data-testid="sso-domain" data-domain={d.domain}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex items-center gap-2">
          <span className="font-medium">{d.domain}</span>
          {d.status === "verified" ? <Badge tone="green">Verified</Badge> : <Badge tone="amber">Pending</Badge>}
        </div>
        <div className="flex gap-2">
          {d.status === "pending" && (
            <button type="button" onClick={() => act(verifyDomainAction)} disabled={pending} aria-busy={pending} className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:opacity-60">
              {pending ? "Checking DNS…" : `Verify ${d.domain}`}
            </button>
          )}
          <button type="button" onClick={() => act(removeDomainAction)} disabled={pending} className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100" aria-label={`Remove ${d.domain}`}>
            Remove
          </button>
        </div>
      </div>
      {d.status === "pending" && (
        <>
          <p className="text-xs text-slate-600">Publish this TXT record at your DNS provider, then verify:</p>
          <dl className="space-y-1.5">
            <Copyable label="Name" value={d.txtName} />
            <Copyable label="Value" value={d.txtValue} />
          </dl>
        </>
      )}
      {state?.status === "error" && <Notice tone="error">{state.fields?.domain ?? state.message}</Notice>}
    </li>
  );
}

/** The team's claimed email domains: add one, publish its TXT record, verify it. */
export function DomainsSection({ domains }: { domains: DomainView[] }) {
  const [state, setState] = useState<SsoActionState<unknown> | null>(null);
  const [domain, setDomain] = useState("");
  const [pending, start] = useTransition();
  const add = (e: React.FormEvent) => {
    e.preventDefault();
    start(async () => {
      const fd = new FormData();
      fd.set("domain", domain);
      const r = await addDomainAction(fd);
      setState(r);
      if (r.status === "ok") setDomain("");
    });
  };
  return (
    <section aria-labelledby="domains-heading">
      <div className="border-b border-slate-200 px-4 py-3">
        <h2 id="domains-heading" className="text-base font-semibold">
          Domains
        </h2>
        <p className="text-sm text-slate-600">People whose email is at a verified domain sign in with your provider, and join the team on their first sign-in.</p>
      </div>
      {domains.length === 0 ? (
        <p className="px-4 py-6 text-center text-sm text-slate-500">No domains yet. Add the domain of your colleagues&apos; email addresses.</p>
      ) : (
        <ul className="divide-y divide-slate-200" aria-label="Domains">
          {domains.map((d) => (
            <DomainRow key={d.id} d={d} />
          ))}
        </ul>
      )}
      <form onSubmit={add} noValidate className="flex flex-wrap items-end gap-3 border-t border-slate-200 px-4 py-3">
        <Field label="Add a domain" name="domain" value={domain} onChange={(e) => setDomain(e.target.value)} placeholder="example.com" error={state?.status === "error" ? (state.fields?.domain ?? state.message) : undefined} className="min-w-48 flex-1" autoComplete="off" spellCheck={false} />
        <button type="submit" disabled={pending} aria-busy={pending} className="rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 disabled:opacity-60">
          {pending ? "Adding…" : "Add domain"}
        </button>
      </form>
      {state?.status === "ok" && state.message && <Notice tone="success" className="mx-4 mb-3">{state.message}</Notice>}
    </section>
  );
}
