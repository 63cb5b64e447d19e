import { handleLookup } from "@/lib/internal/http";

/** The registry proxy's license + upstream lookup (lib/internal/proxy-lookup.ts). PROXY_SERVICE_TOKEN only. */
export const dynamic = "force-dynamic";

export const POST = handleLookup;
