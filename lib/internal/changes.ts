import type { Tx } from "@/lib/db/client";
import type { ChangeEvent } from "./contract";

/**
 * Changes that make the proxies' cached lookup answers wrong, announced through PostgreSQL
 * `NOTIFY` on one channel (docs/architecture.md, "Pushed changes"). The notification is sent in
 * the transaction of the change, so PostgreSQL delivers it only when that commits, to every
 * portal listening on the database (changes-hub.ts), which passes it on to its proxies.
 *
 * Which changes those are is said once, by audit action (`changeOfAuditEvent`): every such change
 * writes its audit event in its transaction (lib/audit/record.ts), which sends the notification.
 */
export const CHANGES_CHANNEL = "portcullis_proxy_changes";

/** Sends `change` when the transaction `tx` commits (never: when it rolls back). */
export async function notifyChange(tx: Tx, change: ChangeEvent): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${CHANGES_CHANNEL}, ${JSON.stringify(change)})`;
}

/**
 * The change an audit event stands for, when it concerns a lookup answer:
 * - `license.revoke` (also written for each license an archive or an app deletion revokes);
 * - `customer.archive`, `app.delete`, and an app's image list and its "only listed images" switch
 *   (`app.image_add`, `app.image_remove`, `app.images_setting`);
 * - `registry.rotate`, `registry.update`, `registry.cache_settings`, `registry.delete`, `registry.apps`;
 * - `registry.create`, as a change of the whole team: a new registry can change which registry an
 *   image path means (a name, or a second registry on the same host).
 * Other actions change nothing a proxy caches.
 */
export function changeOfAuditEvent(teamId: string | null, event: { action: string; targetId?: string }): ChangeEvent | undefined {
  const id = event.targetId;
  switch (event.action) {
    case "license.revoke":
      return id ? { kind: "license", id } : undefined;
    case "customer.archive":
      return id ? { kind: "customer", id } : undefined;
    case "app.delete":
    case "app.image_add":
    case "app.image_remove":
    case "app.images_setting":
      return id ? { kind: "app", id } : undefined;
    case "registry.rotate":
    case "registry.update":
    case "registry.cache_settings":
    case "registry.delete":
    case "registry.apps":
      return id ? { kind: "registry", id } : undefined;
    case "registry.create":
      return teamId ? { kind: "team", id: teamId } : undefined;
    default:
      return undefined;
  }
}
