"use client";

import { useEffect, useState } from "react";
import { appImageDetailsAction } from "@/app/_actions/app-images";
import type { AppImageDetailsDto } from "@/lib/apps/images/dto";

const formatBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

/** The image's digest, platforms and size, read live when the row appears (only whether it is a Helm chart is kept). */
export function ImageDetails({ appId, imageId }: { appId: string; imageId: string }) {
  const [details, setDetails] = useState<AppImageDetailsDto | { problem: string } | null>(null);
  useEffect(() => {
    let live = true;
    appImageDetailsAction(appId, imageId).then(
      (r) => live && setDetails(r.status === "ok" && r.data ? r.data : { problem: r.message ?? "The registry could not be read." }),
      () => live && setDetails({ problem: "The registry could not be read." }),
    );
    return () => {
      live = false;
    };
  }, [appId, imageId]);

  if (!details) {
    return (
      <p className="flex items-center gap-2 text-xs text-slate-500" role="status">
        <span className="size-3 animate-spin rounded-full border-2 border-slate-400 border-r-transparent" aria-hidden />
        Reading the registry…
      </p>
    );
  }
  if (!("ok" in details) || !details.ok) return <p className="text-xs text-amber-800">Not readable now: {details.problem}</p>;
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-xs text-slate-600" data-testid="image-details">
      <dt className="text-slate-500">Digest</dt>
      <dd className="min-w-0 truncate font-mono" title={details.digest ?? ""}>
        {details.digest}
      </dd>
      {details.helmChart && (
        <>
          <dt className="text-slate-500">Kind</dt>
          <dd>Helm chart: the install instructions give customers a helm install line for it</dd>
        </>
      )}
      <dt className="text-slate-500">Platforms</dt>
      <dd>{details.platforms.length ? details.platforms.join(", ") : "not stated"}</dd>
      <dt className="text-slate-500">Size</dt>
      <dd>{details.compressedBytes !== null ? `${formatBytes(details.compressedBytes)} compressed` : details.kind === "index" ? "per platform (multi-platform index)" : "—"}</dd>
    </dl>
  );
}
