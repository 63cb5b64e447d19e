import crypto from "node:crypto";
import { z } from "zod";
import type { Db } from "@/lib/db/client";
import { isCacheRepository } from "@/lib/cache/naming";
import { MEDIA_TYPES } from "@/lib/oci/manifest";
import { slugOf } from "./grants";

/**
 * Distribution's notifications (`application/vnd.docker.distribution.events.v1+json`: an
 * envelope `{events:[…]}`) turned into PullEvent rows, source "registry".
 *
 * - Manifest events are kept: a push is its manifest PUT, a pull its manifest GET (per
 *   manifest, as the proxy records them). A license's blob GETs are kept too, as `pull-blob`: they
 *   are the bytes delivered to the customer (the analytics count them, the activity lists don't
 *   show them). Other blob events and HEAD requests (clients probing what exists) are dropped.
 * - A license's pulls are `result: "pulled"` with the manifest's digest, as the proxy records its
 *   deliveries, so a customer's history and analytics hold both; the hosted registry never tells
 *   of refusals (the token service's refusals are not events).
 * - Team and app come from the repository's first path component (an app slug, unique across
 *   the installation); events of repositories outside any app are dropped, and so are those of
 *   the proxy cache's copies (`portcullis-cache/…`, when the cache's store is the hosted
 *   registry): the proxy's pull log and cache events account for them.
 * - The actor is the token's `sub` (grants.ts `subjectOf`): `license:<License.id>` attributes a
 *   pull to its license and customer (only when that license is of the repository's app);
 *   `user:<id>` and `token:<id>` are resolved to a readable name.
 * - Distribution redelivers an event until the endpoint accepts it: the row's id is derived from
 *   the event's id, so a redelivery is stored once.
 * - One unparseable event must not block the registry's queue forever (it would be retried
 *   without end): invalid events are counted and dropped, never refused.
 */

const MANIFEST_TYPES: ReadonlySet<string> = new Set([
  ...Object.values(MEDIA_TYPES),
  "application/vnd.docker.distribution.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v1+prettyjws",
]);

export const registryEventSchema = z.object({
  id: z.string().min(1).max(256),
  timestamp: z.string().max(64).optional(),
  action: z.string().max(32),
  target: z.object({
    mediaType: z.string().max(255).optional(),
    size: z.number().int().min(0).optional(),
    length: z.number().int().min(0).optional(),
    digest: z.string().max(255).optional(),
    repository: z.string().min(1).max(255),
    tag: z.string().max(128).optional(),
  }),
  request: z.object({ method: z.string().max(16).optional() }).optional(),
  actor: z.object({ name: z.string().max(512).optional() }).optional(),
});
export type RegistryEvent = z.infer<typeof registryEventSchema>;

export const registryEnvelopeSchema = z.object({ events: z.array(z.unknown()).max(1000) });

/** A stable UUID for a Distribution event id (version-5 layout over SHA-256). */
export function pullEventIdOf(eventId: string): string {
  const h = crypto.createHash("sha256").update(`portcullis/registry-event/${eventId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** What an event means for the activity log, or null to drop it. */
export function classify(e: RegistryEvent): { action: string; status: number } | null {
  const method = e.request?.method?.toUpperCase();
  // A blob's bytes sent: kept for license pulls only (ingestRegistryEvents).
  if (e.action === "pull" && method === "GET" && e.target.digest && (!e.target.mediaType || !MANIFEST_TYPES.has(e.target.mediaType))) {
    return { action: "pull-blob", status: 200 };
  }
  if (!e.target.mediaType || !MANIFEST_TYPES.has(e.target.mediaType)) return null;
  if (e.action === "push") return { action: "push-manifest", status: 201 };
  if (e.action === "pull") return method === "GET" ? { action: "pull-manifest", status: 200 } : null;
  if (e.action === "delete") return { action: "delete-manifest", status: 202 };
  return null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseSubject(sub: string | undefined): { kind: "user" | "token" | "license"; id: string } | null {
  const m = /^(user|token|license):(.+)$/.exec(sub ?? "");
  if (!m || !UUID.test(m[2]!)) return null;
  return { kind: m[1] as "user" | "token" | "license", id: m[2]!.toLowerCase() };
}

const tokenLabel = (t: { kind: string; name: string; user: string | null }) =>
  t.kind === "user" ? `${t.user ?? "a former member"} (token ${t.name})` : `${t.name} (${t.kind === "team" ? "team token" : "service account"})`;

export interface IngestResult {
  /** Rows written (a redelivered event counts once, the first time). */
  accepted: number;
  /** Events not recorded: blobs, HEADs, unknown repositories, malformed. */
  ignored: number;
}

export async function ingestRegistryEvents(db: Db, raw: readonly unknown[], now = new Date()): Promise<IngestResult> {
  const kept: Array<{ e: RegistryEvent; action: string; status: number; slug: string }> = [];
  for (const item of raw) {
    const parsed = registryEventSchema.safeParse(item);
    if (!parsed.success) continue;
    const meaning = classify(parsed.data);
    const slug = isCacheRepository(parsed.data.target.repository) ? null : slugOf(parsed.data.target.repository);
    // The portal's own reads (an app's image details) are not anyone's pulls.
    if (meaning?.action === "pull-manifest" && parsed.data.actor?.name?.startsWith("portal:")) continue;
    if (meaning && slug) kept.push({ e: parsed.data, ...meaning, slug });
  }
  if (kept.length === 0) return { accepted: 0, ignored: raw.length };

  const subjects = kept.map((k) => parseSubject(k.e.actor?.name));
  const idsOf = (kind: string) => [...new Set(subjects.filter((s) => s?.kind === kind).map((s) => s!.id))];
  const [apps, licenses, users, tokens] = await Promise.all([
    // Deleted apps included: a slug never passes to another team (its tombstone keeps it), and the
    // deletes of a deleted app's images arrive after it is gone; they belong to its team's history.
    db.app.findMany({ where: { slug: { in: [...new Set(kept.map((k) => k.slug))] } }, select: { id: true, slug: true, teamId: true } }),
    db.license.findMany({ where: { id: { in: idsOf("license") } }, select: { id: true, appId: true, customerId: true, licenseIdHint: true } }),
    db.user.findMany({ where: { id: { in: idsOf("user") } }, select: { id: true, email: true } }),
    db.apiToken.findMany({ where: { id: { in: idsOf("token") } }, select: { id: true, kind: true, name: true, userId: true } }),
  ]);
  const tokenUsers = await db.user.findMany({
    where: { id: { in: tokens.map((t) => t.userId).filter((id): id is string => !!id) } },
    select: { id: true, email: true },
  });
  const appBySlug = new Map(apps.map((a) => [a.slug, a]));
  const licenseById = new Map(licenses.map((l) => [l.id, l]));
  const emailOf = new Map([...users, ...tokenUsers].map((u) => [u.id, u.email]));
  const tokenById = new Map(tokens.map((t) => [t.id, t]));

  const rows = [];
  for (const [i, k] of kept.entries()) {
    const app = appBySlug.get(k.slug);
    if (!app) continue;
    const subject = subjects[i];
    let actor: string | null = null;
    let license: { id: string; customerId: string } | null = null;
    if (subject?.kind === "license") {
      const l = licenseById.get(subject.id);
      if (l && l.appId === app.id) {
        license = l;
        actor = `license …${l.licenseIdHint}`;
      }
    } else if (subject?.kind === "user") {
      actor = emailOf.get(subject.id) ?? null;
    } else if (subject?.kind === "token") {
      const t = tokenById.get(subject.id);
      if (t) actor = tokenLabel({ ...t, user: t.userId ? (emailOf.get(t.userId) ?? null) : null });
    }
    // Vendors' blob reads are not deliveries.
    if (k.action === "pull-blob" && !license) continue;
    const at = k.e.timestamp ? new Date(k.e.timestamp) : now;
    rows.push({
      id: pullEventIdOf(k.e.id),
      teamId: app.teamId,
      source: "registry",
      licenseId: license?.id ?? null,
      customerId: license?.customerId ?? null,
      appId: app.id,
      actor,
      image: k.e.target.repository,
      reference: k.e.target.tag ?? k.e.target.digest ?? null,
      action: k.action,
      status: k.status,
      bytes: BigInt(k.e.target.size ?? k.e.target.length ?? 0),
      ...(license && { result: "pulled" }),
      digest: license && k.action === "pull-manifest" ? (k.e.target.digest ?? null) : null,
      createdAt: Number.isNaN(at.getTime()) ? now : at,
    });
  }
  const { count } = rows.length ? await db.pullEvent.createMany({ data: rows, skipDuplicates: true }) : { count: 0 };
  return { accepted: count, ignored: raw.length - rows.length };
}
