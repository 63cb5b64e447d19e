import type { Db } from "@/lib/db/client";
import type { PullEventInput } from "./contract";

/**
 * Stores a batch of the proxy's pull-log events. Team, customer and app come from the license
 * row, not from the proxy's payload, so an event can only land in its license's team. Events of
 * licenses that no longer exist are counted and dropped; an event id seen before is skipped (the
 * proxy retries batches whose answer it did not get).
 */
export async function ingestPullEvents(db: Db, events: PullEventInput[]): Promise<{ accepted: number; unknownLicense: number }> {
  const ids = [...new Set(events.map((e) => e.licenseId))];
  const licenses = await db.license.findMany({ where: { id: { in: ids } }, select: { id: true, teamId: true, customerId: true, appId: true } });
  const byId = new Map(licenses.map((l) => [l.id, l]));
  const rows = [];
  for (const e of events) {
    const l = byId.get(e.licenseId);
    if (!l) continue;
    rows.push({
      id: e.id,
      teamId: l.teamId,
      source: "proxy",
      licenseId: l.id,
      customerId: l.customerId,
      appId: l.appId,
      actor: e.actor,
      image: e.image,
      reference: e.reference,
      action: e.action,
      status: e.status,
      bytes: BigInt(e.bytes),
      cache: e.cache ?? null,
      createdAt: new Date(e.at),
    });
  }
  const { count } = rows.length ? await db.pullEvent.createMany({ data: rows, skipDuplicates: true }) : { count: 0 };
  return { accepted: count, unknownLicense: events.length - rows.length };
}
