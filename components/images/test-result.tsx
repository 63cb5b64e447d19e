"use client";

import { useEffect, useRef } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import type { DiagnosticStep } from "@/lib/oci/diagnose";
import type { TestView } from "./types";
import { formatBytes } from "@/lib/oci/size";

function StepIcon({ ok }: { ok: boolean }) {
  return ok ? (
    <span aria-hidden className="mt-0.5 grid size-5 shrink-0 place-items-center rounded-full bg-emerald-100 text-xs font-bold text-emerald-700">
      ✓
    </span>
  ) : (
    <span aria-hidden className="mt-0.5 grid size-5 shrink-0 place-items-center rounded-full bg-red-100 text-xs font-bold text-red-700">
      ✕
    </span>
  );
}


/** Each step of a connection test with its outcome and, for a failure, why. */
export function StepList({ steps }: { steps: DiagnosticStep[] }) {
  return (
    <ol className="space-y-2" aria-label="Test steps">
      {steps.map((s, i) => (
        <li key={i} className="flex gap-2.5" data-testid="test-step" data-ok={s.ok}>
          <StepIcon ok={s.ok} />
          <div className="min-w-0 flex-1">
            <p className="flex flex-wrap items-baseline gap-x-2 text-sm font-medium text-slate-900">
              <span className="break-all">{s.name}</span>
              <span className="sr-only">{s.ok ? "passed" : "failed"}</span>
              {s.status !== undefined && <span className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-[11px] font-normal text-slate-600">HTTP {s.status}</span>}
              {s.durationMs !== undefined && <span className="text-xs font-normal text-slate-500">{s.durationMs} ms</span>}
            </p>
            <p className={`mt-0.5 break-words text-sm ${s.ok ? "text-slate-600" : "text-red-700"}`}>{s.detail}</p>
          </div>
        </li>
      ))}
    </ol>
  );
}

/** A whole connection test: the verdict, the steps, and what the manifest is when an image was given. */
export function TestResult({ result }: { result: TestView }) {
  const failed = result.steps.find((s) => !s.ok);
  const m = result.manifest;
  const ref = useRef<HTMLElement>(null);
  // A new result usually lands below the fold of the dialog: scroll the dialog's body (only it)
  // so the verdict is at its top.
  useEffect(() => {
    const el = ref.current;
    const body = el?.closest("[data-dialog-body]");
    if (!el || !body) return;
    body.scrollBy({ top: el.getBoundingClientRect().top - body.getBoundingClientRect().top - 16, behavior: "smooth" });
  }, [result]);
  return (
    <section ref={ref} aria-label="Connection test result" className="space-y-3" data-testid="test-result" data-ok={result.ok}>
      <div
        role={result.ok ? "status" : "alert"}
        className={`rounded-md border px-3 py-2 text-sm ${result.ok ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-900"}`}
      >
        <p className="font-semibold">{result.ok ? "Connection test passed" : `Connection test failed at “${failed?.name ?? "?"}”`}</p>
        {!result.ok && failed && <p className="mt-0.5">{failed.detail}</p>}
      </div>
      {m && <ManifestPanel manifest={m} />}
      <StepList steps={result.steps} />
    </section>
  );
}

/** What the test found at the image it was given: kind, platforms, layers, digest. */
export function ManifestPanel({ manifest: m }: { manifest: NonNullable<TestView["manifest"]> }) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 rounded-md border border-slate-200 bg-slate-50 px-3 py-2.5 text-sm" aria-label="Manifest">
      <dt className="text-slate-500">Image</dt>
      <dd className="break-all font-mono text-xs leading-5">
        {m.repository}
        {m.reference.startsWith("sha256:") ? "@" : ":"}
        {m.reference}
      </dd>
      <dt className="text-slate-500">Kind</dt>
      <dd>{m.kind === "index" ? "Multi-platform index" : "Single image"}</dd>
      <dt className="text-slate-500">Platforms</dt>
      <dd className="flex flex-wrap gap-1.5">
        {m.platforms.length ? (
          m.platforms.map((p) => (
            <span key={p} className="rounded-full bg-brand-50 px-2 py-0.5 font-mono text-xs text-brand-900" data-testid="platform">
              {p}
            </span>
          ))
        ) : (
          <span className="text-slate-500">not stated</span>
        )}
      </dd>
      {m.layers !== undefined && (
        <>
          <dt className="text-slate-500">Layers</dt>
          <dd>
            {m.layers} ({formatBytes(m.layerBytes ?? 0)})
          </dd>
        </>
      )}
      <dt className="text-slate-500">Digest</dt>
      <dd className="flex min-w-0 items-center gap-2">
        <code className="min-w-0 truncate font-mono text-xs" title={m.digest}>
          {m.digest}
        </code>
        <span className="shrink-0">
          <CopyButton value={m.digest} label="Copy digest" />
        </span>
      </dd>
      <dt className="text-slate-500">Media type</dt>
      <dd className="break-all font-mono text-xs leading-5 text-slate-600">{m.mediaType}</dd>
    </dl>
  );
}

/** A spinner and what is going on, while a test runs. */
export function Testing({ host }: { host: string }) {
  return (
    <div role="status" className="flex items-center gap-3 rounded-md border border-brand-100 bg-brand-50 px-3 py-2.5 text-sm text-brand-900">
      <span aria-hidden className="size-4 shrink-0 animate-spin rounded-full border-2 border-current border-r-transparent" />
      <span>
        Testing {host || "the registry"}: resolving, connecting, authenticating{"…"} Each step gives up after 10 seconds.
      </span>
    </div>
  );
}
