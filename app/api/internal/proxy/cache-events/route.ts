import { handleCacheEvents } from "@/lib/internal/http";

/** Batches of the registry proxies' cache events (lib/cache/events.ts). PROXY_SERVICE_TOKEN only. */
export const dynamic = "force-dynamic";

export const POST = handleCacheEvents;
