import "server-only";
import { cache } from "react";
import type { TeamContext } from "@/lib/auth/context";
import { diagnosticStepSchema } from "@/lib/oci/diagnose";
import { credentialsWork } from "@/lib/registries/test-verdict";
import { onboardingSteps, type OnboardingFacts } from "./steps";

const storedSteps = diagnosticStepSchema.array().catch([]);

/** What the caller's team has done of the first-run path. Every query is scoped by the team. */
export async function onboardingState(ctx: Pick<TeamContext, "db" | "teamId">) {
  const { db, teamId } = ctx;
  const now = new Date();
  const [app, registries, customer, license, pull] = await Promise.all([
    db.app.findFirst({ where: { teamId, deletedAt: null }, select: { name: true, slug: true }, orderBy: { createdAt: "asc" } }),
    db.registry.findMany({ where: { teamId }, select: { endpoint: true, lastTestOk: true, lastTestSteps: true }, orderBy: { createdAt: "asc" } }),
    db.customer.findFirst({ where: { teamId, archivedAt: null }, select: { name: true }, orderBy: { createdAt: "asc" } }),
    db.license.findFirst({
      where: { teamId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }], app: { deletedAt: null } },
      select: { licenseIdHint: true, customer: { select: { name: true } }, app: { select: { slug: true } } },
      orderBy: { createdAt: "asc" },
    }),
    db.pullEvent.findFirst({ where: { teamId, source: "proxy", status: { gte: 200, lt: 300 } }, select: { image: true, createdAt: true }, orderBy: { seq: "asc" } }),
  ]);
  const hostOf = (endpoint: string) => new URL(endpoint).host;
  const tested = registries.find((r) => r.lastTestOk !== null && credentialsWork({ ok: r.lastTestOk, steps: storedSteps.parse(r.lastTestSteps ?? []) }));
  const facts: OnboardingFacts = {
    ...(app && { app }),
    ...(registries[0] && { registry: { host: hostOf(registries[0].endpoint) } }),
    ...(tested && { tested: { host: hostOf(tested.endpoint) } }),
    ...(customer && { customer }),
    ...(license && { license: { hint: license.licenseIdHint, customer: license.customer.name, appSlug: license.app.slug } }),
    ...(pull && { pull: { image: pull.image, at: pull.createdAt.toISOString() } }),
  };
  return onboardingSteps(facts);
}

/**
 * The same, read once per request: the layout's banner and Home's checklist render in parallel and
 * must not disagree (the banner stays as rendered when the browser moves to another page, so a
 * reading taken a moment before Home's would leave a finished path's banner showing).
 */
export const onboardingStateOfRequest = cache((db: TeamContext["db"], teamId: string) => onboardingState({ db, teamId }));
