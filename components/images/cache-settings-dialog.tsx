"use client";

import { useActionState, useEffect, useId, useRef, useState } from "react";
import { purgeCacheAction, updateCacheSettingsAction } from "@/app/_actions/registry-cache";
import { buttonClass, PendingButton } from "@/components/ui/button";
import { ConfirmForm } from "@/components/ui/confirm-form";
import { DialogBody, DialogForm } from "@/components/ui/dialog";
import { Field, SelectField } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import type { ActionState } from "@/lib/server/action-state";
import { fromZodError } from "@/lib/errors";
import { formatBytes } from "@/lib/oci/size";
import type { CachePurgeResult } from "@/lib/cache/dto";
import { cacheSettingsFormSchema, capFields, capUnits, staleHours } from "./cache-settings-form";
import type { RegistryRow } from "./types";
import { useFormAction } from "./use-form-action";

type Values = { enabled: boolean; maxSize: string; maxSizeUnit: string; maxStaleHours: string };
const FORM_FIELDS: readonly string[] = ["maxSize", "maxSizeUnit", "maxStaleHours"];

/** The form's messages per field, when it does not pass its own schema (checked before sending). */
function formErrors(form: HTMLFormElement): Record<string, string> | undefined {
  const parsed = cacheSettingsFormSchema.safeParse(Object.fromEntries([...new FormData(form)].filter(([, v]) => typeof v === "string")));
  return parsed.success ? undefined : fromZodError(parsed.error).fields;
}

const copies = (n: number) => `${n} ${n === 1 ? "copy" : "copies"}`;

/**
 * A registry's cache settings (on or off, the size cap, the stale bound) and its purge — all of
 * it, or one upstream repository's copies — behind a confirmation.
 */
export function CacheSettingsDialogBody({ r, onDone, onCancel }: { r: RegistryRow; onDone: (message?: string) => void; onCancel: () => void }) {
  const [purging, setPurging] = useState<{ repository?: string } | null>(null);
  const purgeButton = useRef<HTMLButtonElement>(null);
  const back = () => {
    setPurging(null);
    // After the settings are shown again.
    setTimeout(() => purgeButton.current?.focus());
  };
  return (
    <>
      {/* Hidden, not unmounted, while the purge is confirmed: what was typed stays. */}
      <div hidden={!!purging} className={purging ? undefined : "contents"}>
        <SettingsForm r={r} onDone={onDone} onCancel={onCancel} onPurge={(repository) => setPurging({ repository })} purgeButton={purgeButton} />
      </div>
      {purging && <PurgeConfirmation r={r} repository={purging.repository} onDone={onDone} onCancel={back} />}
    </>
  );
}

function SettingsForm({
  r,
  onDone,
  onCancel,
  onPurge,
  purgeButton,
}: {
  r: RegistryRow;
  onDone: (message?: string) => void;
  onCancel: () => void;
  onPurge: (repository?: string) => void;
  purgeButton: React.Ref<HTMLButtonElement>;
}) {
  const [values, setValues] = useState<Values>(() => ({ enabled: r.cache.enabled, ...capFields(r.cache.maxBytes), maxStaleHours: staleHours(r.cache.maxStaleSeconds) }));
  const [checked, setChecked] = useState<Record<string, string> | undefined>();
  const { state, pending, submit, fields: serverFields } = useFormAction(updateCacheSettingsAction, (s) => onDone(s.message));
  // Fields changed since the last submit: their old messages no longer apply (a unit changes the cap's).
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const set = (name: keyof Values) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => {
    setValues((v) => ({ ...v, [name]: e.target.value }));
    setEdited((s) => new Set([...s, name, ...(name === "maxSizeUnit" ? ["maxSize"] : [])]));
  };
  const shown = checked ?? serverFields;
  const errors = shown && Object.fromEntries(Object.entries(shown).filter(([k]) => !edited.has(k)));
  const turningOff = r.cache.enabled && !values.enabled;

  const onSubmit = (e: React.FormEvent<HTMLFormElement>) => {
    const invalid = formErrors(e.currentTarget);
    setChecked(invalid);
    setEdited(new Set());
    if (!invalid) return submit(e);
    e.preventDefault();
    // The first wrong field in the form's order.
    ([...e.currentTarget.elements] as HTMLInputElement[]).find((el) => el.name in invalid)?.focus();
  };

  return (
    <DialogForm onSubmit={onSubmit} onCancel={onCancel} buttons={<PendingButton pending={pending} pendingText="Saving…">Save settings</PendingButton>}>
      <input type="hidden" name="id" value={r.id} />
      <CacheSwitch checked={values.enabled} onChange={(enabled) => setValues((v) => ({ ...v, enabled }))} />
      {turningOff && r.cache.entries > 0 && (
        <Notice tone="warning">
          Turning the cache off purges its {copies(r.cache.entries)} ({formatBytes(r.cache.storedBytes)}): pulls go to {r.host} every time, and nothing is served
          while it is down.
        </Notice>
      )}
      <div className="flex items-start gap-2">
        <Field
          label="Size cap"
          name="maxSize"
          inputMode="decimal"
          autoComplete="off"
          placeholder="No cap"
          value={values.maxSize}
          onChange={set("maxSize")}
          error={errors?.maxSize}
          hint="Above it, the least recently used copies are evicted. Leave it empty for no cap."
          className="flex-1"
        />
        <SelectField label="Unit" name="maxSizeUnit" value={values.maxSizeUnit} onChange={set("maxSizeUnit")} options={capUnits.map((u) => ({ value: u, label: u }))} error={errors?.maxSizeUnit} className="w-24" />
      </div>
      <Field
        label="Serve stale tags for up to (hours)"
        name="maxStaleHours"
        inputMode="decimal"
        autoComplete="off"
        value={values.maxStaleHours}
        onChange={set("maxStaleHours")}
        error={errors?.maxStaleHours}
        hint="While the upstream is down or rate-limited, a tag resolves to the digest the upstream last confirmed, if that was at most this long ago. 0 never serves a stale tag; at most 720 (30 days)."
      />
      {state?.status === "error" && !state.fields && <Notice tone="error">{state.message}</Notice>}
      {/* A message for no field of this form (the registry's id, the settings as a whole). */}
      {Object.entries(errors ?? {})
        .filter(([k]) => !FORM_FIELDS.includes(k))
        .map(([k, message]) => (
          <Notice key={k} tone="error">
            {message}
          </Notice>
        ))}
      <PurgeChooser r={r} onPurge={onPurge} buttonRef={purgeButton} />
    </DialogForm>
  );
}

/** Caching on or off: a checkbox shown as a switch (Space toggles it). */
function CacheSwitch({ checked, onChange }: { checked: boolean; onChange: (checked: boolean) => void }) {
  const titleId = useId();
  const hintId = useId();
  return (
    <label className="flex cursor-pointer items-start gap-3">
      <input
        type="checkbox"
        role="switch"
        name="enabled"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        aria-labelledby={titleId}
        aria-describedby={hintId}
        className="peer sr-only"
        autoFocus
      />
      <span
        aria-hidden
        className="relative mt-0.5 inline-flex h-5 w-9 shrink-0 rounded-full bg-slate-300 transition-colors peer-checked:bg-brand-600 peer-focus-visible:ring-2 peer-focus-visible:ring-brand-600 peer-focus-visible:ring-offset-2 after:absolute after:left-0.5 after:top-0.5 after:size-4 after:rounded-full after:bg-white after:shadow after:transition-transform peer-checked:after:translate-x-4"
      />
      <span>
        <span id={titleId} className="block text-sm font-medium text-slate-800">
          Keep copies of what customers pull
        </span>
        <span id={hintId} className="block text-xs text-slate-500">
          Each layer and manifest is fetched from the upstream once; the license check still runs on every pull.
        </span>
      </span>
    </label>
  );
}

const repositoryHint = "An upstream repository of this registry, as customers pull it, e.g. library/nginx.";

/** What to purge: all of it, or one repository. The settings form ignores its inputs. */
function PurgeChooser({ r, onPurge, buttonRef }: { r: RegistryRow; onPurge: (repository?: string) => void; buttonRef: React.Ref<HTMLButtonElement> }) {
  const [scope, setScope] = useState<"all" | "repository">("all");
  const [repository, setRepository] = useState("");
  const [error, setError] = useState<string>();
  const legendId = useId();
  const purge = () => {
    if (scope === "all") return onPurge();
    const name = repository.trim();
    if (!name) return setError("Enter the repository to purge, e.g. library/nginx.");
    onPurge(name);
  };
  const radio = "size-4 accent-red-600";
  return (
    <fieldset aria-labelledby={legendId} className="space-y-2 rounded-md border border-slate-200 p-3">
      <legend id={legendId} className="px-1 text-sm font-medium text-slate-800">
        Purge cache
      </legend>
      <p className="text-xs text-slate-600">
        {r.cache.entries === 0 ? "Nothing is stored now." : `Stored: ${copies(r.cache.entries)}, ${formatBytes(r.cache.storedBytes)}.`} Purged copies are fetched
        from the upstream again on their next pull.
      </p>
      <label className="flex items-center gap-2 text-sm text-slate-800">
        <input type="radio" name="purgeScope" checked={scope === "all"} onChange={() => setScope("all")} className={radio} />
        Everything
      </label>
      <label className="flex items-center gap-2 text-sm text-slate-800">
        <input type="radio" name="purgeScope" checked={scope === "repository"} onChange={() => setScope("repository")} className={radio} />
        One repository
      </label>
      {scope === "repository" && (
        <Field
          label="Repository to purge"
          value={repository}
          onChange={(e) => {
            setRepository(e.target.value);
            setError(undefined);
          }}
          onKeyDown={(e) => {
            // Enter here purges (after the confirmation), it doesn't save the settings.
            if (e.key === "Enter") {
              e.preventDefault();
              purge();
            }
          }}
          autoComplete="off"
          spellCheck={false}
          placeholder="library/nginx"
          hint={repositoryHint}
          error={error}
          compact
        />
      )}
      <button ref={buttonRef} type="button" className={buttonClass("secondary", "text-red-700")} onClick={purge}>
        Purge cache…
      </button>
    </fieldset>
  );
}

function PurgeConfirmation({ r, repository, onDone, onCancel }: { r: RegistryRow; repository?: string; onDone: (message?: string) => void; onCancel: () => void }) {
  const [state, purge] = useActionState<ActionState<CachePurgeResult>, FormData>(async (prev, formData) => {
    const next = await purgeCacheAction(prev, formData);
    if (next.status === "ok") onDone(next.message);
    return next;
  }, { status: "idle" });
  const error = state.status === "error" ? (state.fields?.repository ?? state.message) : undefined;
  const body = useRef<HTMLDivElement>(null);
  // The button that asked is hidden now: focus moves to the confirmation's.
  useEffect(() => body.current?.querySelector<HTMLButtonElement>('button[type="submit"]')?.focus(), []);
  return (
    <DialogBody>
      <div ref={body}>
        <ConfirmForm
          action={purge}
          id={r.id}
          size="card"
          confirmLabel="Purge cache"
          pendingText="Purging…"
          onCancel={onCancel}
          question={
            repository ? (
              <>
                Purge the copies of <strong className="font-mono">{repository}</strong> from the cache of {r.host}? Its copies and last confirmed tags are
                removed; the next pulls fetch them from the upstream.
              </>
            ) : (
              <>
                Purge the whole cache of <strong className="font-mono">{r.host}</strong> ({copies(r.cache.entries)}, {formatBytes(r.cache.storedBytes)}) and its
                last confirmed tags? The next pulls fetch everything from the upstream, and no stale tag is served until the upstream has answered again.
              </>
            )
          }
        >
          {repository && <input type="hidden" name="repository" value={repository} />}
          {error && <Notice tone="error">{error}</Notice>}
        </ConfirmForm>
      </div>
    </DialogBody>
  );
}
