import { defineOperation } from "@/lib/server/operation";
import { findOr404 } from "@/lib/server/find-or-404";
import { customerAnalyticsQuerySchema, listActivitySchema, pullActivityQuerySchema } from "@/lib/activity/schemas";
import { customerAnalytics } from "@/lib/activity/analytics";
import type { CustomerAnalytics } from "@/lib/activity/analytics-dto";
import { findIn, queryPullActivity } from "@/lib/activity/pull-activity";
import type { PullActivityPage } from "@/lib/activity/pull-dto";
import type { ActivityDto } from "@/lib/activity/dto";

/**
 * Image pushes and pulls, newest first: the hosted registry's (Distribution's notifications,
 * lib/registry-auth/events.ts) and the proxy's (its pull log). Manifest requests only: a pull is
 * the manifests a client fetched, not each of its blobs. Filter by app or by license; another
 * team's app or license is not_found.
 */
const ACTIVITY_ACTIONS = ["push-manifest", "pull-manifest", "delete-manifest"] as const;

export const listActivity = defineOperation({
  name: "activity.list", permission: "read", input: listActivitySchema,
  async run(ctx, input): Promise<ActivityDto[]> {
    const { db, teamId } = ctx;
    if (input.appId) await findOr404(db.app.findFirst({ where: { id: input.appId, teamId, deletedAt: null }, select: { id: true } }), "That app does not exist.");
    if (input.licenseId) await findOr404(db.license.findFirst({ where: { id: input.licenseId, teamId }, select: { id: true } }), "That license does not exist.");
    const rows = await db.pullEvent.findMany({
      where: { teamId, action: { in: [...ACTIVITY_ACTIONS] }, ...(input.appId && { appId: input.appId }), ...(input.licenseId && { licenseId: input.licenseId }), ...(input.customersOnly && !input.licenseId && { licenseId: { not: null } }) },
      orderBy: { seq: "desc" },
      take: input.limit,
    });
    const ids = (pick: (r: (typeof rows)[number]) => string | null) => [...new Set(rows.map(pick).filter((v): v is string => !!v))];
    const [apps, licenses] = await Promise.all([
      // Deleted apps included: their events stay in the history, under the slug they had.
      findIn(ids((r) => r.appId), (id) => db.app.findMany({ where: { teamId, id: { in: id } }, select: { id: true, slug: true } })),
      findIn(ids((r) => r.licenseId), (id) => db.license.findMany({ where: { teamId, id: { in: id } }, select: { id: true, licenseIdHint: true, customer: { select: { id: true, name: true } } } })),
    ]);
    const appById = new Map(apps.map((a) => [a.id, a]));
    const licenseById = new Map(licenses.map((l) => [l.id, l]));
    return rows.map((r) => {
      const l = r.licenseId ? licenseById.get(r.licenseId) : undefined;
      return {
        id: r.id,
        at: r.createdAt,
        source: r.source === "proxy" ? "proxy" : "registry",
        action: r.action,
        image: r.image,
        reference: r.reference,
        status: r.status,
        bytes: Number(r.bytes),
        actor: r.actor,
        cache: r.cache === "hit" || r.cache === "miss" || r.cache === "stale" ? r.cache : null,
        result: r.result === "pulled" || r.result === "refused" || r.result === "incomplete" ? r.result : null,
        app: (r.appId && appById.get(r.appId)) || null,
        license: l ? { id: l.id, hint: l.licenseIdHint, customerId: l.customer.id, customerName: l.customer.name } : null,
      };
    });
  },
});

/**
 * The customers' pull attempts through the proxy and from the hosted registry (lib/activity/pull-activity.ts), paged, by app,
 * customer, license and result. Another team's app, customer or license is not_found.
 */
export const listPullActivity = defineOperation({
  name: "activity.pulls", permission: "read", input: pullActivityQuerySchema,
  async run(ctx, input): Promise<PullActivityPage> {
    const { db, teamId } = ctx;
    await Promise.all([
      input.appId && findOr404(db.app.findFirst({ where: { id: input.appId, teamId }, select: { id: true } }), "That app does not exist."),
      input.customerId && findOr404(db.customer.findFirst({ where: { id: input.customerId, teamId }, select: { id: true } }), "That customer does not exist."),
      input.licenseId && findOr404(db.license.findFirst({ where: { id: input.licenseId, teamId }, select: { id: true } }), "That license does not exist."),
    ]);
    return queryPullActivity(db, { teamId }, input);
  },
});

/** One customer's delivery analytics (lib/activity/analytics.ts); another team's customer is not_found. */
export const getCustomerAnalytics = defineOperation({
  name: "customers.analytics", permission: "read", input: customerAnalyticsQuerySchema,
  async run(ctx, input): Promise<CustomerAnalytics> {
    const customer = await findOr404(ctx.db.customer.findFirst({ where: { id: input.id, teamId: ctx.teamId }, select: { id: true, name: true } }), "That customer does not exist.");
    return customerAnalytics(ctx.db, ctx.teamId, customer, { days: input.days });
  },
});
