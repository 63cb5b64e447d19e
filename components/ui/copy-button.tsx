"use client";

import { useState } from "react";

/**
 * Copies a value to the clipboard and says so, on the button and to screen readers (a status
 * region). Its accessible name is the label alone, never the value: values can be long commands
 * or secrets shown once, which a screen reader would otherwise read out in full.
 */
export function CopyButton({ value, label = "Copy" }: { value: string; label?: string }) {
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
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50"
        aria-label={label}
        title={state === "failed" ? "The browser refused clipboard access: select the text and copy it." : undefined}
      >
        {state === "copied" ? "Copied" : state === "failed" ? "Copy failed" : label}
      </button>
      <span role="status" className="sr-only">
        {state === "copied" ? "Copied to the clipboard" : state === "failed" ? "Could not copy: select the text and copy it" : ""}
      </span>
    </>
  );
}
