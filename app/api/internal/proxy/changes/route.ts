import { handleChanges } from "@/lib/internal/http";

/** The proxies' change stream (lib/internal/changes-stream.ts). PROXY_SERVICE_TOKEN only. */
export const dynamic = "force-dynamic";

export const GET = handleChanges;
