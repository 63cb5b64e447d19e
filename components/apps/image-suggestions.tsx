"use client";

import { useState, useTransition } from "react";
import { addSuggestedImageAction } from "@/app/_actions/app-images";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/notice";
import type { AppImageSuggestionDto } from "@/lib/apps/images/dto";
import type { Plain } from "@/lib/server/plain";

function Suggestion({ appId, s, canWrite }: { appId: string; s: Plain<AppImageSuggestionDto>; canWrite: boolean }) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string>();
  return (
    <li className="flex flex-wrap items-center justify-between gap-2 px-4 py-2">
      <div className="min-w-0">
        <p className="break-all font-mono text-sm">{s.reference}</p>
        <p className="text-xs text-slate-500">
          {s.seenIn === "push" ? "pushed" : "pulled by a customer"} {s.lastSeenAt.slice(0, 10)}
        </p>
        {error && <Notice tone="error" className="mt-1">{error}</Notice>}
      </div>
      {canWrite && (
        <Button
          variant="secondary"
          disabled={pending}
          aria-busy={pending}
          aria-label={`Add ${s.reference}`}
          onClick={() =>
            start(async () => {
              const r = await addSuggestedImageAction(appId, s.reference);
              if (r.status === "error") setError(r.fields?.reference ?? r.message);
            })
          }
        >
          {pending ? "Adding…" : "Add"}
        </Button>
      )}
    </li>
  );
}

/** Images seen in this app's pushes and pulls that it doesn't list yet, each added with one click. */
export function ImageSuggestions({ appId, suggestions, canWrite }: { appId: string; suggestions: Plain<AppImageSuggestionDto>[]; canWrite: boolean }) {
  return (
    <ul className="divide-y divide-slate-200" aria-label="Suggested images">
      {suggestions.map((s) => (
        <Suggestion key={s.reference} appId={appId} s={s} canWrite={canWrite} />
      ))}
    </ul>
  );
}
