"use client";

import { useOptimistic, useState, useTransition } from "react";
import { setRegistryServesAppAction } from "@/app/_actions/app-images";
import { Notice } from "@/components/ui/notice";
import type { AppRegistryDto } from "@/lib/apps/registry-scope";

function RegistryRow({ appId, registry, canAdmin }: { appId: string; registry: AppRegistryDto; canAdmin: boolean }) {
  const [pending, start] = useTransition();
  const [serves, setServes] = useOptimistic(registry.serves);
  const [error, setError] = useState<string>();
  return (
    <li className="px-4 py-2">
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          className="mt-0.5 size-4"
          checked={serves}
          disabled={!canAdmin || pending}
          aria-busy={pending}
          onChange={(e) => {
            const next = e.target.checked;
            start(async () => {
              setServes(next);
              const r = await setRegistryServesAppAction(appId, registry.id, next);
              setError(r.status === "error" ? r.message : undefined);
            });
          }}
        />
        <span className="min-w-0">
          <span className="break-all font-mono">{registry.host}</span>
          {registry.name && <span className="ml-2 text-xs text-slate-500">name {registry.name}</span>}
          <span className="block text-xs text-slate-500">{registry.allApps ? "Serves every app of the team." : serves ? "Serves the chosen apps, this one among them." : "Serves other apps only."}</span>
        </span>
      </label>
      {error && <Notice tone="error" className="mt-1">{error}</Notice>}
    </li>
  );
}

/** Which of the team's registries this app's licenses may pull from. */
export function AppRegistries({ appId, registries, canAdmin }: { appId: string; registries: AppRegistryDto[]; canAdmin: boolean }) {
  return (
    <ul className="divide-y divide-slate-200" aria-label="Registries of this app">
      {registries.map((r) => (
        <RegistryRow key={r.id} appId={appId} registry={r} canAdmin={canAdmin} />
      ))}
    </ul>
  );
}
