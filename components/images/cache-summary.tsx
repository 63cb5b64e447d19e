import { formatBytes } from "@/lib/oci/size";
import type { CacheView } from "./types";

/** A share as a whole percentage; 100% only when it is all (never rounded up to it). */
export function percent(ratio: number): string {
  const p = Math.round(ratio * 100);
  return `${ratio < 1 ? Math.min(p, 99) : p}%`;
}

const pill = "inline-flex rounded-full px-2 py-0.5 text-xs font-medium";

/** What is stored: its size of the cap (with a bar), or alone without a cap, and how many copies. */
function Stored({ cache }: { cache: CacheView }) {
  const copies = `${cache.entries} ${cache.entries === 1 ? "copy" : "copies"}`;
  if (cache.maxBytes === null) {
    return (
      <>
        {formatBytes(cache.storedBytes)}, no cap
        <span className="block">{copies}</span>
      </>
    );
  }
  const share = Math.min(1, cache.storedBytes / cache.maxBytes);
  return (
    <>
      {formatBytes(cache.storedBytes)} of {formatBytes(cache.maxBytes)}
      <span aria-hidden className="my-1 block h-1 w-full max-w-32 overflow-hidden rounded-full bg-slate-200">
        <span className="block h-full rounded-full bg-brand-600" style={{ width: `${share * 100}%` }} />
      </span>
      <span className="block">{copies}</span>
    </>
  );
}

/**
 * A registry's proxy cache in a few lines: on or off, the hit ratio, bytes served from the cache
 * and from the upstream (the first is the upstream egress saved), and what is stored of the cap.
 */
export function CacheSummary({ cache, host }: { cache: CacheView; host: string }) {
  const traffic = cache.hits + cache.misses + cache.stale;
  const label = `Cache of ${host}`;
  if (!cache.enabled) {
    return (
      <div aria-label={label} role="group" className="text-xs text-slate-600">
        <span className={`${pill} bg-slate-100 text-slate-600`}>Cache off</span>
        <p className="mt-1">Every pull goes to the upstream.</p>
      </div>
    );
  }
  if (traffic === 0 && cache.entries === 0) {
    return (
      <div aria-label={label} role="group" className="text-xs text-slate-600">
        <span className={`${pill} bg-emerald-100 text-emerald-800`}>Cache on</span>
        <p className="mt-1 max-w-52">Nothing cached yet: the first pull through the proxy fills the cache.</p>
        <p className="mt-1 text-slate-500">{cache.maxBytes === null ? "No size cap" : `Cap ${formatBytes(cache.maxBytes)}`}</p>
      </div>
    );
  }
  return (
    <div aria-label={label} role="group" className="text-xs text-slate-600">
      <p className="flex flex-wrap items-center gap-2">
        <span className={`${pill} bg-emerald-100 text-emerald-800`}>Cache on</span>
        {cache.hitRatio !== null && (
          <span>
            <span className="font-medium text-slate-900">{percent(cache.hitRatio)}</span> hit ratio
          </span>
        )}
      </p>
      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 whitespace-nowrap">
        <dt className="text-slate-500">From cache</dt>
        <dd>{formatBytes(cache.cacheBytes)}</dd>
        <dt className="text-slate-500">From upstream</dt>
        <dd>{formatBytes(cache.upstreamBytes)}</dd>
        <dt className="text-slate-500">Egress saved</dt>
        <dd className="font-medium text-slate-900">{formatBytes(cache.egressSaved)}</dd>
        <dt className="text-slate-500">Stored</dt>
        <dd>
          <Stored cache={cache} />
        </dd>
      </dl>
    </div>
  );
}
