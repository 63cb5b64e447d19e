import { randomUUID } from "node:crypto";
import type { Db, Tx } from "@/lib/db/client";
import type { PullReason, PullResult } from "@/lib/activity/reasons";
import type { PullEvent, PullEventBatch, PullEventBatchResponse } from "./contract";

/**
 * Stores a batch of the proxy's pull-log events. Team, customer and app come from the license
 * row, not from the proxy's payload, so an event can only land in its license's team; an attempt
 * with a license the portal did not know lands in the team of the app its path named (no
 * customer). Events of licenses or apps that no longer exist are counted and dropped.
 *
 * Refused attempts are stored once per team, license (or app), reason, action, reference and
 * minute, with a count: a storm of them adds to one row. And at most
 * MAX_REFUSED_REFERENCES_PER_MINUTE references are stored per license (or app), reason and
 * minute; the rest add to one row whose reference is `*` (other references). So refusals cost the
 * database a bounded number of rows per minute whatever a client sends.
 *
 * Exactly once: the proxy sends a batch again when it did not get the answer (the portal may have
 * stored it), or delivers it once more from a spool file. Its batch id is recorded in the same
 * transaction as its rows, and a batch id seen before is answered `alreadyStored` with nothing
 * added; a second delivery running at the same time waits for the first's transaction and then
 * finds the receipt. Receipts are kept PULL_BATCH_RECEIPT_DAYS. Without a batch id (an older
 * proxy), an event id seen before is still skipped, but the refusals of a batch sent again are
 * counted again.
 */
export const MAX_REFUSED_REFERENCES_PER_MINUTE = 20;
/** The reference of the row that gathers a minute's refusals beyond MAX_REFUSED_REFERENCES_PER_MINUTE. */
export const OTHER_REFERENCES = "*";
/** How long a batch id is remembered: a batch delivered again later (a spool file left that long) counts its refusals again. */
export const PULL_BATCH_RECEIPT_DAYS = 14;
/** Receipts older than that deleted per batch stored: more than one batch adds, so the table stays bounded. */
const RECEIPTS_PRUNED_PER_BATCH = 100;

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

export async function ingestPullEvents(db: Db, { batchId, events }: PullEventBatch, now = new Date()): Promise<PullEventBatchResponse> {
  const answer = await db.$transaction(
    async (tx) => {
      if (batchId && (await tx.pullEventBatch.createMany({ data: [{ id: batchId, receivedAt: now }], skipDuplicates: true })).count === 0) {
        return { accepted: 0, unknownLicense: 0, alreadyStored: true };
      }
      return storeEvents(tx, events);
    },
    // A batch of refusals is a few statements per row, on a database that may be busy.
    { timeout: 30_000 },
  );
  if (batchId) await pruneReceipts(db, now);
  return answer;
}

async function pruneReceipts(db: Db, now: Date): Promise<void> {
  const before = new Date(now.getTime() - PULL_BATCH_RECEIPT_DAYS * 86_400_000);
  await db.$executeRaw`
    DELETE FROM "PullEventBatch" WHERE "id" IN (
      SELECT "id" FROM "PullEventBatch" WHERE "receivedAt" < ${before.toISOString()}::timestamp LIMIT ${RECEIPTS_PRUNED_PER_BATCH}
    )`;
}

async function storeEvents(db: Tx, events: PullEvent[]): Promise<{ accepted: number; unknownLicense: number }> {
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
  // In the order of their keys: concurrent batches lock the rows they add to in the same order, never waiting on each other in a circle.
  for (const key of [...refusals.keys()].sort()) await storeRefusal(db, refusals.get(key)!);
  return { accepted: count + refusals.size, unknownLicense: events.length - owned };
}

/** team|license (or app:<id>)|reason|minute */
function refusalScope(owner: Owner, reason: PullReason, at: string): string {
  return [owner.teamId, owner.licenseId ?? `app:${owner.appId}`, reason, new Date(at).toISOString().slice(0, 16)].join("|");
}

async function storeRefusal(db: Tx, { owner, event: e, reason, count }: { owner: Owner; event: PullEvent; reason: PullReason; count: number }): Promise<void> {
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
