import { handleRegistryEvents } from "@/lib/registry-auth/http";

/** Distribution's notifications (push/pull events → PullEvent). REGISTRY_EVENTS_TOKEN only. */
export const dynamic = "force-dynamic";

export function POST(req: Request) {
  return handleRegistryEvents(req);
}
