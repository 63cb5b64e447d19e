import { publicAccess } from "@/lib/http/auth/public";
import { defineRoute } from "@/lib/http/route";
import { handleRegistryEvents } from "@/lib/registry-auth/http";

/** Distribution's notifications (push/pull events → PullEvent). REGISTRY_EVENTS_TOKEN only, checked by the receiver. */
export const dynamic = "force-dynamic";

export const POST = defineRoute({ auth: publicAccess, errors: "oci", handler: ({ req, deps }) => handleRegistryEvents(req, { db: deps.db }) });
