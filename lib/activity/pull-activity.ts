import { env } from "@/lib/config/env";
import type { Db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { OTHER_REFERENCES } from "@/lib/internal/pull-events";
import { publicHost } from "@/lib/registries/instructions";
import type { PullActivityPage, PullAttemptDto } from "./pull-dto";
import { isPullReason, pullResults, type PullResult } from "./reasons";
import type { PullActivityQuery } from "./schemas";

/**
 * The pull attempts through the proxy and the hosted registry's license pulls, newest first, paged: every manifest fetched (what a pull
 * is: a client then fetches the blobs it names) and every attempt that did not succeed, blobs
 * included (refused, or a transfer that ended early). Scoped to a team and, for a customer seeing
 * their own history, to one license. Filters by app, customer, license and result; a filter that
 * names another team's record finds nothing. Callers check that the ids are the team's when they
 * want a not_found for them (lib/activity/operations.ts).
 */
export interface PullActivityScope {
  teamId: string;
  /** Only this license's attempts, whatever the filter says. */
  licenseId?: string;
}

export type PullActivityFilter = Partial<Pick<PullActivityQuery, "appId" | "customerId" | "licenseId" | "result">> & { page?: number; pageSize?: number };

const SHOWN: Prisma.PullEventWhereInput = { OR: [{ action: "pull-manifest" }, { result: { in: ["refused", "incomplete"] } }] };

/**
 * `proxy/<slug>/<image>:<tag>` or `…@<digest>`: the reference as the customer wrote it; a hosted
 * registry's pull with that registry's public host in front (`registryHost`).
 */
export function writtenReference(image: string, reference: string | null, registryHost?: string): string {
  if (registryHost) return writtenReference(`${registryHost}/${image}`, reference);
  if (!reference) return image;
  if (reference === OTHER_REFERENCES) return `${image} (other references)`;
  return reference.includes(":") ? `${image}@${reference}` : `${image}:${reference}`;
}

/** The rows with these ids, without asking the database when there are none. */
export async function findIn<T>(ids: string[], find: (ids: string[]) => Promise<T[]>): Promise<T[]> {
  return ids.length === 0 ? [] : find(ids);
}

export async function queryPullActivity(db: Db, scope: PullActivityScope, filter: PullActivityFilter = {}): Promise<PullActivityPage> {
  const page = filter.page ?? 1;
  const pageSize = filter.pageSize ?? 25;
  const licenseId = scope.licenseId ?? filter.licenseId;
  // A customer's own history can't be widened to another license by the filter.
  const conflicting = scope.licenseId && filter.licenseId && filter.licenseId !== scope.licenseId;
  const where: Prisma.PullEventWhereInput = {
    teamId: scope.teamId,
    result: conflicting ? "none" : filter.result ? filter.result : { not: null },
    ...(licenseId && { licenseId }),
    ...(filter.appId && { appId: filter.appId }),
    ...(filter.customerId && { customerId: filter.customerId }),
    ...SHOWN,
  };
  const rows = await db.pullEvent.findMany({ where, orderBy: { seq: "desc" }, skip: (page - 1) * pageSize, take: pageSize });
  // A first page that is not full is every attempt there is: no count needed.
  const total = page === 1 && rows.length < pageSize ? rows.length : await db.pullEvent.count({ where });
  const ids = (pick: (r: (typeof rows)[number]) => string | null) => [...new Set(rows.map(pick).filter((v): v is string => !!v))];
  const [apps, licenses, customers] = await Promise.all([
    // Deleted apps included: their attempts stay in the history, under the slug they had.
    findIn(ids((r) => r.appId), (id) => db.app.findMany({ where: { teamId: scope.teamId, id: { in: id } }, select: { id: true, slug: true } })),
    findIn(ids((r) => r.licenseId), (id) => db.license.findMany({ where: { teamId: scope.teamId, id: { in: id } }, select: { id: true, licenseIdHint: true } })),
    findIn(ids((r) => r.customerId), (id) => db.customer.findMany({ where: { teamId: scope.teamId, id: { in: id } }, select: { id: true, name: true } })),
  ]);
  const appById = new Map(apps.map((a) => [a.id, a]));
  const licenseById = new Map(licenses.map((l) => [l.id, { id: l.id, hint: l.licenseIdHint }]));
  const e = env();
  const registryHost = publicHost(e.REGISTRY_URL, e.REGISTRY_PORT);
  const customerById = new Map(customers.map((c) => [c.id, c]));
  const attempts = rows.map(
    (r): PullAttemptDto => ({
      id: r.id,
      at: r.createdAt,
      result: pullResults.includes(r.result as PullResult) ? (r.result as PullResult) : "pulled",
      reason: isPullReason(r.reason) ? r.reason : null,
      reference: writtenReference(r.image, r.reference, r.source === "registry" ? registryHost : undefined),
      image: r.image,
      action: r.action,
      status: r.status,
      bytes: Number(r.bytes),
      count: r.count,
      cache: r.cache === "hit" || r.cache === "miss" || r.cache === "stale" ? r.cache : null,
      customer: (r.customerId && customerById.get(r.customerId)) || null,
      license: (r.licenseId && licenseById.get(r.licenseId)) || null,
      app: (r.appId && appById.get(r.appId)) || null,
    }),
  );
  return { attempts, total, page, pageSize, pages: Math.max(1, Math.ceil(total / pageSize)) };
}
