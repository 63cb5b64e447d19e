import { handlePullEvents } from "@/lib/internal/http";

/** Batches of the registry proxy's pull log (lib/internal/pull-events.ts). PROXY_SERVICE_TOKEN only. */
export const dynamic = "force-dynamic";

export const POST = handlePullEvents;
