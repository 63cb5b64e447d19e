"use client";

import Link from "next/link";
import { useRef, useState, useTransition } from "react";
import { createRegistryAction, testDraftRegistryAction, type RegistryActionState } from "@/app/_actions/registries";
import { Button, buttonClass } from "@/components/ui/button";
import { DialogForm } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import type { ProviderView } from "@/lib/registries/providers/types";
import { CredentialFields, type Values } from "./credential-fields";
import { AllowedRealmHostsField, ProxyNameField, TestImageField } from "./registry-fields";
import { TestResult, Testing } from "./test-result";
import type { TestView } from "./types";

type Busy = null | "testing" | "saving";

/** A provider's advice: text in `backticks` is code, then its link. */
function ProviderNotice({ notice }: { notice: NonNullable<ProviderView["notice"]> }) {
  return (
    <Notice tone="info">
      {notice.text.split("`").map((part, i) =>
        i % 2 ? (
          <code key={i} className="font-mono text-xs">
            {part}
          </code>
        ) : (
          part
        ),
      )}
      {notice.link && (
        <>
          {" "}
          <Link href={notice.link.href} className="font-medium underline">
            {notice.link.label}
          </Link>
        </>
      )}
    </Notice>
  );
}

/** The add dialog's form: a tab per provider, optional name, test before saving. Loaded with the dialog (add-registry-dialog.tsx). */
export function AddRegistryForm({
  providers: tabs,
  proxyHost,
  initialProvider,
  onCancel,
  onAdded,
}: {
  providers: readonly ProviderView[];
  proxyHost: string;
  initialProvider?: string;
  onCancel: () => void;
  onAdded: (message: string) => void;
}) {
  const [provider, setProvider] = useState(initialProvider ?? tabs[0]!.id);
  // What was typed on each tab, kept when switching tabs.
  const [values, setValues] = useState<Record<string, Values>>({});
  const [common, setCommon] = useState({ name: "", image: "", test: true, allowedRealmHosts: "" });
  const [busy, setBusy] = useState<Busy>(null);
  const [state, setState] = useState<RegistryActionState<unknown> | null>(null);
  const [test, setTest] = useState<TestView | null>(null);
  const [, startTransition] = useTransition();
  const formRef = useRef<HTMLFormElement>(null);
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);

  const set = (name: string, value: string) => setValues((v) => ({ ...v, [provider]: { ...v[provider], [name]: value } }));
  const fields = state?.status === "error" ? state.fields : undefined;
  const current = tabs.find((t) => t.id === provider) ?? tabs[0]!;
  const typed = values[provider] ?? {};
  const endpoint = typed.endpoint ?? "";

  function submit(kind: "test" | "save") {
    const form = formRef.current;
    if (!form || busy) return;
    const data = new FormData(form);
    setBusy(kind === "test" ? "testing" : common.test ? "testing" : "saving");
    setState(null);
    setTest(null);
    startTransition(async () => {
      if (kind === "test") {
        const r = await testDraftRegistryAction(data);
        setState(r);
        if (r.status === "ok" && r.data) setTest(r.data);
      } else {
        const r = await createRegistryAction(data);
        setState(r);
        if (r.test) setTest(r.test);
        if (r.status === "ok") {
          setBusy(null);
          onAdded(r.message ?? "Registry added.");
          return;
        }
      }
      setBusy(null);
    });
  }

  function onTabKey(e: React.KeyboardEvent, index: number) {
    const next = e.key === "ArrowRight" ? index + 1 : e.key === "ArrowLeft" ? index - 1 : e.key === "Home" ? 0 : e.key === "End" ? tabs.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const i = (next + tabs.length) % tabs.length;
    setProvider(tabs[i]!.id);
    tabRefs.current[i]?.focus();
  }

  return (
    <DialogForm
      ref={formRef}
      onSubmit={(e) => {
        e.preventDefault();
        submit("save");
      }}
      onCancel={onCancel}
      buttons={
        <>
          <Button variant="secondary" onClick={() => submit("test")} disabled={!!busy} aria-busy={busy === "testing" && !common.test}>
            Test connection
          </Button>
          <button type="submit" disabled={!!busy} aria-busy={!!busy} className={buttonClass("primary")}>
            {busy && busy !== "testing" && <span className="size-3.5 animate-spin rounded-full border-2 border-current border-r-transparent" aria-hidden />}
            {busy === "saving" ? "Saving…" : common.test ? "Test and save" : "Save registry"}
          </button>
        </>
      }
    >
      <div role="tablist" aria-label="Registry type" className="flex flex-wrap gap-1 rounded-lg bg-slate-100 p-1">
        {tabs.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              tabRefs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={provider === t.id}
            aria-controls="registry-tabpanel"
            tabIndex={provider === t.id ? 0 : -1}
            onClick={() => {
              setProvider(t.id);
              setState(null);
              setTest(null);
            }}
            onKeyDown={(e) => onTabKey(e, i)}
            className={`flex-1 whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium ${
              provider === t.id ? "bg-white text-brand-700 shadow-sm" : "text-slate-600 hover:text-slate-900"
            }`}
          >
            {t.tab}
          </button>
        ))}
      </div>

      <div role="tabpanel" id="registry-tabpanel" aria-labelledby={`tab-${provider}`} className="space-y-3">
        <input type="hidden" name="provider" value={provider} />
        <Field
          label="Endpoint"
          name="endpoint"
          autoFocus
          autoComplete="off"
          spellCheck={false}
          placeholder={current.endpoint.placeholder}
          hint={current.endpoint.hint}
          value={endpoint}
          onChange={(e) => set("endpoint", e.target.value)}
          error={fields?.endpoint}
        />
        {current.notice && <ProviderNotice notice={current.notice} />}
        <CredentialFields fields={current.fields} values={typed} set={set} errors={fields} />
        <div className="grid gap-3 sm:grid-cols-2">
          <ProxyNameField
            label="Name (optional)"
            proxyHost={proxyHost}
            value={common.name}
            onChange={(name) => setCommon((c) => ({ ...c, name }))}
            error={fields?.name}
            hint={(path) => <>Customers can then pull {path}: needed for a host with a port, and it hides the host.</>}
          />
          <TestImageField
            value={common.image}
            onChange={(image) => setCommon((c) => ({ ...c, image }))}
            error={fields?.image}
            hint="The test then also fetches this image's manifest: single image or multi-platform, platforms, digest."
          />
        </div>
        <AllowedRealmHostsField
          value={common.allowedRealmHosts}
          onChange={(v) => setCommon((c) => ({ ...c, allowedRealmHosts: v }))}
          errors={fields}
        />
      </div>

      <label className="flex items-start gap-2 text-sm text-slate-800">
        <input
          type="checkbox"
          name="test"
          checked={common.test}
          onChange={(e) => setCommon((c) => ({ ...c, test: e.target.checked }))}
          className="mt-0.5 size-4 rounded border-slate-300 accent-brand-600"
        />
        <span>
          Test before saving
          <span className="block text-xs text-slate-500">Save only if the connection test passes. Untick to save a registry that is not reachable yet.</span>
        </span>
      </label>

      {busy === "testing" && <Testing host={endpoint} />}
      {state?.status === "error" &&
        (state.test ? (
          <Notice tone="warning">Nothing was saved. Fix what the failed step says, or untick “Test before saving” to save it anyway.</Notice>
        ) : (
          !state.fields && <Notice tone="error">{state.message}</Notice>
        ))}
      {test && <TestResult result={test} />}
    </DialogForm>
  );
}
