import "server-only";
import type { TeamContext } from "@/lib/auth/context";
import { can } from "@/lib/auth/permissions";
import { getLicense } from "@/lib/licenses/operations";
import { parseEcrHost } from "@/lib/oci/endpoint";
import { ecr as ecrProvider } from "@/lib/registries/providers/ecr";
import { invoke } from "@/lib/server/operation";
import type { EcrTutorialState } from "./ecr";

/**
 * What the signed-in team has done of the ECR tutorial, so the page doubles as a checklist:
 * an ECR registry added, its last test passed, an active license, a first pull through the proxy.
 * Every query is scoped by the team; the license ID is revealed only to roles that may see it.
 */

export async function ecrTutorialState(ctx: TeamContext, opts: { app?: string } = {}): Promise<EcrTutorialState> {
  const { db, teamId } = ctx;
  const now = new Date();
  const [apps, registries, license, firstPull] = await Promise.all([
    db.app.findMany({ where: { teamId, deletedAt: null }, select: { id: true, slug: true, name: true }, orderBy: { createdAt: "asc" } }),
    db.registry.findMany({
      where: { teamId },
      select: { provider: true, endpoint: true, name: true, lastTestOk: true, lastTestAt: true, lastTestSummary: true },
      orderBy: [{ lastTestAt: { sort: "desc", nulls: "last" } }, { createdAt: "asc" }],
    }),
    db.license.findFirst({
      where: { teamId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }], app: { deletedAt: null, ...(opts.app && { slug: opts.app }) } },
      select: { id: true, licenseIdHint: true, customer: { select: { name: true } }, app: { select: { slug: true } } },
      orderBy: { createdAt: "desc" },
    }),
    db.pullEvent.findFirst({
      where: { teamId, source: "proxy", status: { gte: 200, lt: 300 } },
      select: { createdAt: true, image: true, reference: true },
      orderBy: { seq: "asc" },
    }),
  ]);

  // A passing ECR registry first, then the most recently tested one.
  const ecr = registries.filter((r) => r.provider === ecrProvider.id).sort((a, b) => Number(b.lastTestOk === true) - Number(a.lastTestOk === true))[0];
  const host = ecr ? new URL(ecr.endpoint).host : undefined;
  const parsed = host ? parseEcrHost(host) : null;
  const appSlug = license?.app.slug ?? (opts.app && apps.some((a) => a.slug === opts.app) ? opts.app : apps[0]?.slug);

  return {
    teamName: ctx.teamName,
    apps: apps.map((a) => ({ slug: a.slug, name: a.name })),
    ...(appSlug && { appSlug }),
    ...(ecr &&
      host && {
        registry: {
          host,
          // A stand-in on a private address (development, tests) has no account or region in its host.
          ...(parsed && { accountId: parsed.accountId, region: parsed.region }),
          name: ecr.name,
          lastTest: ecr.lastTestAt && ecr.lastTestOk !== null ? { ok: ecr.lastTestOk, at: ecr.lastTestAt.toISOString(), summary: ecr.lastTestSummary ?? "" } : null,
        },
      }),
    otherRegistries: registries.filter((r) => r.provider !== ecrProvider.id).length,
    ...(license && {
      license: {
        hint: license.licenseIdHint,
        customer: license.customer.name,
        appSlug: license.app.slug,
        ...(can(ctx.role, "write") && { licenseId: (await invoke(getLicense, ctx, { id: license.id })).licenseId }),
      },
    }),
    ...(firstPull && { firstPull: { at: firstPull.createdAt.toISOString(), image: firstPull.image, reference: firstPull.reference } }),
  };
}
