"use client";

import { useState } from "react";

/**
 * Copies a value to the clipboard and says so, on the button and to screen readers (a status
 * region). Its accessible name is the label alone, never the value: values can be long commands
 * or secrets shown once, which a screen reader would otherwise read out in full.
 */
export function CopyButton({ value, label = "Copy", name }: { value: string; label?: string; /** The accessible name, when the visible label is shorter (one of many "Copy" buttons). */ name?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <>
      <button
        type="button"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(value);
            setState("copied");
          } catch {
            // No clipboard access (a plain-HTTP page, a denied permission): say so instead of nothing.
            setState("failed");
          }
          setTimeout(() => setState("idle"), 2000);
        }}
        className="min-h-7 shrink-0 whitespace-nowrap rounded-md border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50"
        aria-label={name ?? label}
        title={state === "failed" ? "The browser refused clipboard access: select the text and copy it." : undefined}
      >
        {state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : "Copy"}
      </button>
      <span role="status" className="sr-only">
        {state === "copied" ? "Copied to the clipboard" : state === "failed" ? "Could not copy: select the text and copy it" : ""}
      </span>
    </>
  );
}

/** A value to hand on (a new token, a license ID, an invite link) with its copy button: in a notice, or `inline` in a table cell. */
export function CopyableValue({ value, label, testId, inline = false }: { value: string; label: string; testId: string; inline?: boolean }) {
  const Wrapper = inline ? "span" : "p";
  return (
    <Wrapper className={inline ? "flex items-center gap-2" : "mt-2 flex items-center gap-2"}>
      <code data-testid={testId} className={`rounded font-mono text-xs ${inline ? "bg-slate-100 px-1.5 py-0.5" : "min-w-0 flex-1 truncate bg-white px-2 py-1"}`}>
        {value}
      </code>
      <CopyButton value={value} label={label} />
    </Wrapper>
  );
}
