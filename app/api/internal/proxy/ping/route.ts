import { handlePing } from "@/lib/internal/http";

/** The proxy's readiness check: the portal answers and accepts its PROXY_SERVICE_TOKEN. */
export const dynamic = "force-dynamic";

export const GET = handlePing;
