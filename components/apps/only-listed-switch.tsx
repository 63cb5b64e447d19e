"use client";

import { useOptimistic, useState, useTransition } from "react";
import { setOnlyListedImagesAction } from "@/app/_actions/app-images";
import { Notice } from "@/components/ui/notice";

/** The "only listed images" switch: a checkbox that saves when changed. */
export function OnlyListedSwitch({ appId, on, canWrite, listed }: { appId: string; on: boolean; canWrite: boolean; listed: number }) {
  const [pending, start] = useTransition();
  const [value, setValue] = useOptimistic(on);
  const [error, setError] = useState<string>();
  return (
    <div className="space-y-1">
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          className="mt-0.5 size-4"
          checked={value}
          disabled={!canWrite || pending}
          aria-busy={pending}
          aria-describedby="only-listed-hint"
          onChange={(e) => {
            const next = e.target.checked;
            start(async () => {
              setValue(next);
              const r = await setOnlyListedImagesAction(appId, next);
              setError(r.status === "error" ? r.message : undefined);
            });
          }}
        />
        <span>
          <span className="font-medium">Only listed images</span>
          {pending && <span className="ml-2 text-xs text-slate-500">Saving…</span>}
        </span>
      </label>
      <p id="only-listed-hint" className="pl-6 text-xs text-slate-500">
        {value
          ? listed > 0
            ? "Licenses of this app pull only the images below through the proxy; any other repository is refused."
            : "Once you list an image, licenses of this app pull only listed images. Until then they pull any repository of your registries."
          : "Off: licenses of this app pull any repository of your registries through the proxy, listed or not."}
      </p>
      {error && <Notice tone="error">{error}</Notice>}
    </div>
  );
}
