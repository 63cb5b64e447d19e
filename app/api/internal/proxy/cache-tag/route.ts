import { handleCacheTag } from "@/lib/internal/http";

/** The last digest a proxy confirmed upstream for a tag (lib/cache/tags.ts). PROXY_SERVICE_TOKEN only. */
export const dynamic = "force-dynamic";

export const POST = handleCacheTag;
