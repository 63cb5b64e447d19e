import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db/client";
import type { PullReason, PullResult } from "@/lib/activity/reasons";
import type { PullEvent } from "./contract";

/**
 * Stores a batch of the proxy's pull-log events. Team, customer and app come from the license
 * row, not from the proxy's payload, so an event can only land in its license's team; an attempt
 * with a license the portal did not know lands in the team of the app its path named (no
 * customer). Events of licenses or apps that no longer exist are counted and dropped; an event id
 * seen before is skipped (the proxy retries batches whose answer it did not get).
 *
 * Refused attempts are stored once per team, license (or app), reason, action, reference and
 * minute, with a count: a storm of them adds to one row. And at most
 * MAX_REFUSED_REFERENCES_PER_MINUTE references are stored per license (or app), reason and
 * minute; the rest add to one row whose reference is `*` (other references). So refusals cost the
 * database a bounded number of rows per minute whatever a client sends. Those counts are at least
 * once: a batch retried after an answer the proxy did not get adds its refusals again.
 */
export const MAX_REFUSED_REFERENCES_PER_MINUTE = 20;
/** The reference of the row that gathers a minute's refusals beyond MAX_REFUSED_REFERENCES_PER_MINUTE. */
export const OTHER_REFERENCES = "*";

interface Owner {
  teamId: string;
  licenseId: string | null;
  customerId: string | null;
  appId: string | null;
}

/** An older proxy's event has no result: read it from the status. */
function resultOf(e: PullEvent): { result: PullResult; reason: PullReason | null } {
  if (e.result) return { result: e.result, reason: e.reason ?? null };
  if (e.status < 400) return { result: "pulled", reason: null };
  if (e.status === 499) return { result: "incomplete", reason: "client_disconnected" };
  return { result: "refused", reason: "other" };
}

export async function ingestPullEvents(db: Db, events: PullEvent[]): Promise<{ accepted: number; unknownLicense: number }> {
  const licenseIds = [...new Set(events.flatMap((e) => (e.licenseId ? [e.licenseId] : [])))];
  const slugs = [...new Set(events.flatMap((e) => (!e.licenseId && e.appSlug ? [e.appSlug] : [])))];
  const [licenses, apps] = await Promise.all([
    licenseIds.length ? db.license.findMany({ where: { id: { in: licenseIds } }, select: { id: true, teamId: true, customerId: true, appId: true } }) : [],
    slugs.length ? db.app.findMany({ where: { slug: { in: slugs }, deletedAt: null }, select: { id: true, teamId: true, slug: true } }) : [],
  ]);
  const licenseById = new Map(licenses.map((l) => [l.id, l]));
  const appBySlug = new Map(apps.map((a) => [a.slug, a]));
  const ownerOf = (e: PullEvent): Owner | undefined => {
    if (e.licenseId) {
      const l = licenseById.get(e.licenseId);
      return l && { teamId: l.teamId, licenseId: l.id, customerId: l.customerId, appId: l.appId };
    }
    const a = e.appSlug ? appBySlug.get(e.appSlug) : undefined;
    return a && { teamId: a.teamId, licenseId: null, customerId: null, appId: a.id };
  };

  const rows = [];
  const refusals = new Map<string, { owner: Owner; event: PullEvent; reason: PullReason; count: number }>();
  let owned = 0;
  for (const e of events) {
    const owner = ownerOf(e);
    if (!owner) continue;
    owned++;
    const { result, reason } = resultOf(e);
    if (result === "refused") {
      const key = refusalScope(owner, reason ?? "other", e.at) + `|${e.action}|${e.image}|${e.reference ?? ""}`;
      const group = refusals.get(key);
      if (group) group.count += e.count;
      else refusals.set(key, { owner, event: e, reason: reason ?? "other", count: e.count });
      continue;
    }
    rows.push({
      id: e.id,
      ...owner,
      source: "proxy",
      actor: e.actor,
      image: e.image,
      reference: e.reference,
      action: e.action,
      status: e.status,
      bytes: BigInt(e.bytes),
      cache: e.cache ?? null,
      result,
      reason,
      digest: e.digest ?? null,
      createdAt: new Date(e.at),
    });
  }
  const { count } = rows.length ? await db.pullEvent.createMany({ data: rows, skipDuplicates: true }) : { count: 0 };
  for (const r of refusals.values()) await storeRefusal(db, r);
  return { accepted: count + refusals.size, unknownLicense: events.length - owned };
}

/** team|license (or app:<id>)|reason|minute */
function refusalScope(owner: Owner, reason: PullReason, at: string): string {
  return [owner.teamId, owner.licenseId ?? `app:${owner.appId}`, reason, new Date(at).toISOString().slice(0, 16)].join("|");
}

async function storeRefusal(db: Db, { owner, event: e, reason, count }: { owner: Owner; event: PullEvent; reason: PullReason; count: number }): Promise<void> {
  const scope = refusalScope(owner, reason, e.at);
  let reference = e.reference;
  let key = `${scope}|${e.action}|${e.image}|${reference ?? ""}`;
  const added = await db.pullEvent.updateMany({ where: { refusalKey: key }, data: { count: { increment: count } } });
  if (added.count > 0) return;
  if ((await db.pullEvent.count({ where: { refusalScope: scope } })) >= MAX_REFUSED_REFERENCES_PER_MINUTE) {
    reference = OTHER_REFERENCES;
    key = `${scope}|${OTHER_REFERENCES}`;
  }
  const at = new Date(e.at).toISOString();
  await db.$executeRaw`
    INSERT INTO "PullEvent" ("id", "teamId", "source", "licenseId", "customerId", "appId", "actor", "image", "reference", "action", "status", "bytes", "result", "reason", "count", "refusalKey", "refusalScope", "createdAt")
    VALUES (${randomUUID()}::uuid, ${owner.teamId}::uuid, 'proxy', ${owner.licenseId}::uuid, ${owner.customerId}::uuid, ${owner.appId}::uuid, ${e.actor}, ${e.image}, ${reference}, ${e.action}, ${e.status}, 0, 'refused', ${reason}, ${count}, ${key}, ${scope}, ${at}::timestamp)
    ON CONFLICT ("refusalKey") DO UPDATE SET "count" = "PullEvent"."count" + EXCLUDED."count"`;
}
