"use client";

import { useState, useTransition } from "react";
import { removeAppImageAction } from "@/app/_actions/app-images";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Notice } from "@/components/ui/notice";
import type { AppImageDto } from "@/lib/apps/images/dto";
import type { Plain } from "@/lib/server/plain";
import { ImageDetails } from "./image-details";

function ImageRow({ appId, image, canWrite }: { appId: string; image: Plain<AppImageDto>; canWrite: boolean }) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string>();
  return (
    <li className="space-y-2 px-4 py-3" data-testid="app-image">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="break-all font-mono text-sm">{image.image}</p>
          <p className="mt-0.5">
            <Badge tone={image.pullFrom === "proxy" ? "blue" : "slate"}>{image.pullFrom === "proxy" ? "through the proxy" : "Portcullis registry"}</Badge>
          </p>
        </div>
        {canWrite && (
          <Button
            variant="ghost"
            className="text-red-700"
            disabled={pending}
            aria-busy={pending}
            aria-label={`Remove ${image.image}`}
            onClick={() =>
              start(async () => {
                const r = await removeAppImageAction(appId, image.id);
                if (r.status === "error") setError(r.message);
              })
            }
          >
            {pending ? "Removing…" : "Remove"}
          </Button>
        )}
      </div>
      {image.pullReference ? (
        <div className="flex items-center gap-2 rounded-md bg-slate-900 py-1.5 pl-3 pr-1.5">
          <span className="sr-only">Customers pull</span>
          <code className="min-w-0 flex-1 font-mono text-xs text-slate-100 [overflow-wrap:anywhere]">{image.pullReference}</code>
          <CopyButton value={image.pullReference} label="Copy pull reference" />
        </div>
      ) : (
        <p className="text-xs font-medium text-amber-800">{image.problem}</p>
      )}
      <ImageDetails appId={appId} imageId={image.id} />
      {error && <Notice tone="error">{error}</Notice>}
    </li>
  );
}

export function AppImageList({ appId, images, canWrite }: { appId: string; images: Plain<AppImageDto>[]; canWrite: boolean }) {
  return (
    <ul className="divide-y divide-slate-200" aria-label="Images">
      {images.map((image) => (
        <ImageRow key={image.id} appId={appId} image={image} canWrite={canWrite} />
      ))}
    </ul>
  );
}
