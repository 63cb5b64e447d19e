"use client";

import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Field, SelectField, optionsOf } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { StepList } from "@/components/images/test-result";
import { roleLabels, roles, type RoleName } from "@/lib/teams/role-names";
import { saveSsoAction, testSsoAction, type SsoActionState } from "@/app/(dashboard)/settings/sso/actions";
import type { SsoTestResult } from "@/lib/sso/dto";
import { GroupRoles, type GroupRow } from "./group-roles";

export interface SsoSettingsView {
  issuer: string;
  clientId: string;
  hasClientSecret: boolean;
  enforce: boolean;
  defaultRole: RoleName;
  groupsClaim: string | null;
  groupRoles: Record<string, RoleName>;
}

const roleOptions = optionsOf(roles, roleLabels);

/**
 * The identity provider form: the redirect URI to register, the connection, and who gets which
 * role. "Save" is enabled once "Test connection" passed for the connection as typed (or nothing
 * about the saved connection changed); the server tests again before it saves.
 */
export function SsoForm({ redirectUri, settings, verifiedDomains }: { redirectUri: string; settings: SsoSettingsView | null; verifiedDomains: number }) {
  const [issuer, setIssuer] = useState(settings?.issuer ?? "");
  const [clientId, setClientId] = useState(settings?.clientId ?? "");
  const [clientSecret, setClientSecret] = useState("");
  const [enforce, setEnforce] = useState(settings?.enforce ?? false);
  const [defaultRole, setDefaultRole] = useState<RoleName>(settings?.defaultRole ?? "read_only");
  const [groupsClaim, setGroupsClaim] = useState(settings?.groupsClaim ?? "");
  const [groups, setGroups] = useState<GroupRow[]>(Object.entries(settings?.groupRoles ?? {}).map(([group, role]) => ({ group, role })));
  const [test, setTest] = useState<{ key: string; result: SsoTestResult } | null>(null);
  const [state, setState] = useState<SsoActionState<unknown> | null>(null);
  const [testing, startTest] = useTransition();
  const [saving, startSave] = useTransition();

  const connectionKey = JSON.stringify([issuer.trim(), clientId.trim(), clientSecret]);
  const unchangedConnection = !!settings && issuer.trim() === settings.issuer && clientId.trim() === settings.clientId && clientSecret === "";
  const testedNow = test?.key === connectionKey && test.result.ok;
  const canSave = testedNow || unchangedConnection;
  const fields = state?.status === "error" ? state.fields : undefined;

  const formData = (all: boolean) => {
    const fd = new FormData();
    fd.set("issuer", issuer);
    fd.set("clientId", clientId);
    fd.set("clientSecret", clientSecret);
    if (all) {
      fd.set("enforce", String(enforce));
      fd.set("defaultRole", defaultRole);
      fd.set("groupsClaim", groupsClaim);
      fd.set("groupRoles", JSON.stringify(Object.fromEntries(groups.filter((g) => g.group.trim()).map((g) => [g.group.trim(), g.role]))));
    }
    return fd;
  };

  const runTest = () =>
    startTest(async () => {
      const key = connectionKey;
      const r = await testSsoAction(formData(false));
      setState(r.status === "error" ? r : null);
      if (r.status === "ok" && r.data) setTest({ key, result: r.data });
      else setTest(null);
    });

  const save = (e: React.FormEvent) => {
    e.preventDefault();
    if (!canSave || saving) return;
    startSave(async () => {
      const r = await saveSsoAction(formData(true));
      setState(r);
      if (r.test) setTest({ key: connectionKey, result: r.test });
      if (r.status === "ok") setClientSecret("");
    });
  };

  const shownTest = state?.status === "error" && state.test ? state.test : test?.result;

  return (
    <form onSubmit={save} noValidate className="space-y-5" aria-label="Identity provider">
      <div>
        <p className="text-sm font-medium text-slate-800" id="redirect-uri-label">
          Redirect URI
        </p>
        <div className="mt-1 flex min-w-0 items-center gap-2 rounded-md border border-slate-200 bg-slate-50 px-3 py-2">
          <code className="min-w-0 flex-1 break-all font-mono text-xs" aria-labelledby="redirect-uri-label" data-testid="redirect-uri">
            {redirectUri}
          </code>
          <CopyButton value={redirectUri} label="Copy redirect URI" />
        </div>
        <p className="mt-1 text-xs text-slate-500">Register it as the sign-in redirect (callback) URL of the app at your provider. Scopes: openid email profile (and groups, if your provider has that scope).</p>
      </div>

      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Issuer URL" name="issuer" value={issuer} onChange={(e) => setIssuer(e.target.value)} placeholder="https://acme.okta.com" error={fields?.issuer} hint="Okta: https://<org>.okta.com · Entra ID: https://login.microsoftonline.com/<tenant>/v2.0 · Google: https://accounts.google.com" className="md:col-span-2" autoComplete="off" spellCheck={false} />
        <Field label="Client ID" name="clientId" value={clientId} onChange={(e) => setClientId(e.target.value)} error={fields?.clientId} autoComplete="off" spellCheck={false} />
        <Field
          label="Client secret"
          name="clientSecret"
          type="password"
          value={clientSecret}
          onChange={(e) => setClientSecret(e.target.value)}
          error={fields?.clientSecret}
          autoComplete="new-password"
          placeholder={settings?.hasClientSecret ? "Stored — leave empty to keep it" : ""}
          hint="Encrypted when saved; it is never shown again."
        />
      </div>

      <div className="flex flex-wrap items-center gap-3">
        <Button variant="secondary" onClick={runTest} disabled={testing} aria-busy={testing}>
          {testing && <span aria-hidden className="size-3.5 animate-spin rounded-full border-2 border-current border-r-transparent" />}
          {testing ? "Testing…" : "Test connection"}
        </Button>
        {testing && <span role="status" className="text-sm text-slate-600">Fetching the discovery document and keys, then checking the client at the token endpoint…</span>}
      </div>

      {shownTest && !testing && (
        <section aria-label="Connection test result" className="space-y-3" data-testid="sso-test-result" data-ok={shownTest.ok}>
          <div role={shownTest.ok ? "status" : "alert"} className={`rounded-md border px-3 py-2 text-sm ${shownTest.ok ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-900"}`}>
            <p className="font-semibold">{shownTest.ok ? "Connection test passed" : "Connection test failed"}</p>
            <p className="mt-0.5">{shownTest.summary}</p>
          </div>
          <StepList steps={shownTest.steps} />
        </section>
      )}

      <fieldset className="space-y-4 border-t border-slate-200 pt-5">
        <legend className="sr-only">Members and roles</legend>
        <div className="flex items-start justify-between gap-4">
          <div>
            <p id="enforce-label" className="text-sm font-medium text-slate-800">
              Require single sign-on
            </p>
            <p id="enforce-hint" className="text-xs text-slate-500">
              {verifiedDomains > 0 ? "Members can't sign in with a password any more; API tokens keep working, and admins keep an audited password path for emergencies." : "Verify a domain below first."}
            </p>
            {fields?.enforce && <p className="mt-1 text-xs font-medium text-red-600">{fields.enforce}</p>}
          </div>
          <button
            type="button"
            role="switch"
            aria-checked={enforce}
            aria-labelledby="enforce-label"
            aria-describedby="enforce-hint"
            disabled={verifiedDomains === 0 && !enforce}
            onClick={() => setEnforce(!enforce)}
            className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition-colors focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600 focus-visible:ring-offset-2 disabled:cursor-not-allowed disabled:opacity-50 ${enforce ? "bg-brand-600" : "bg-slate-300"}`}
          >
            <span aria-hidden className={`inline-block size-5 rounded-full bg-white shadow transition-transform ${enforce ? "translate-x-5" : "translate-x-0.5"}`} />
          </button>
        </div>
        <div className="grid gap-4 md:grid-cols-2">
          <SelectField label="Default role" name="defaultRole" value={defaultRole} onChange={(e) => setDefaultRole(e.target.value as RoleName)} options={roleOptions} error={fields?.defaultRole} />
          <Field label="Groups claim" name="groupsClaim" value={groupsClaim} onChange={(e) => setGroupsClaim(e.target.value)} placeholder="groups" error={fields?.groupsClaim} hint="The ID token claim with the user's groups. Empty: groups are not read." autoComplete="off" spellCheck={false} />
        </div>
        <GroupRoles rows={groups} onChange={setGroups} error={fields?.groupRoles ?? Object.entries(fields ?? {}).find(([k]) => k.startsWith("groupRoles."))?.[1]} />
      </fieldset>

      {state?.status === "error" && !state.test && state.message && !fields && <Notice tone="error">{state.message}</Notice>}
      {state?.status === "ok" && state.message && <Notice tone="success">{state.message}</Notice>}

      <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-4">
        <button type="submit" disabled={!canSave || saving} aria-busy={saving} aria-describedby="save-hint" className="inline-flex items-center justify-center gap-2 rounded-md bg-brand-600 px-3.5 py-2 text-sm font-medium text-white shadow-sm hover:bg-brand-700 disabled:cursor-not-allowed disabled:bg-brand-600/60">
          {saving && <span aria-hidden className="size-3.5 animate-spin rounded-full border-2 border-current border-r-transparent" />}
          {saving ? "Testing and saving…" : "Save"}
        </button>
        <span id="save-hint" className="text-xs text-slate-500">
          {canSave ? "Saving tests the connection again." : "Test the connection first: saving is possible once it passes."}
        </span>
      </div>
    </form>
  );
}
