import crypto from "node:crypto";
import { z } from "zod";
import { recordTeamAudit } from "@/lib/audit/record";
import { passwordSessionsWhere } from "@/lib/auth/sign-in-method";
import type { Db, Tx } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { TeamSso } from "@/lib/generated/prisma/client";
import { defineOperation } from "@/lib/server/operation";
import { defineTeamChange } from "@/lib/server/team-change";
import { roleSchema } from "@/lib/teams/schemas";
import { type RoleName } from "@/lib/teams/role-names";
import type { SsoDto, SsoTestResult } from "./dto";
import { ssoRedirectUri } from "./redirect";
import { saveSsoSchema, testSsoSchema } from "./schemas";
import { loadSsoSecret, sealSsoSecret, SSO_SECRET_PURPOSE, storeSsoSecret } from "./secret";
import { SsoTestFailedError, testSsoConnection } from "./test-connection";

/**
 * A team's single sign-on configuration. Saving runs the connection test first and saves only
 * when it passes; the client secret goes straight into lib/crypto and never comes back out.
 * Admins only: whoever configures SSO decides who joins the team.
 */

const storedGroupRoles = z.record(z.string(), roleSchema).catch({});

export const findTeamSso = (db: Db | Tx, teamId: string) => db.teamSso.findUnique({ where: { teamId } });

function toSsoDto(row: TeamSso | null, hasSecret: boolean): SsoDto {
  return {
    redirectUri: ssoRedirectUri(),
    settings: row && {
      issuer: row.issuer,
      clientId: row.clientId,
      hasClientSecret: hasSecret,
      enforce: row.enforce,
      defaultRole: row.defaultRole,
      groupsClaim: row.groupsClaim,
      groupRoles: storedGroupRoles.parse(row.groupRoles),
      testedAt: row.testedAt,
      updatedAt: row.updatedAt,
      updatedByEmail: row.updatedByEmail,
    },
  };
}

const hasSecret = async (db: Db | Tx, row: TeamSso | null) =>
  !!row && !!(await db.encryptedSecret.findFirst({ where: { teamId: row.teamId, recordId: row.id, purpose: SSO_SECRET_PURPOSE }, select: { id: true } }));

export const getSso = defineOperation({
  name: "sso.get", permission: "admin", input: z.object({}).optional(),
  async run(ctx) {
    const row = await findTeamSso(ctx.db, ctx.teamId);
    return toSsoDto(row, await hasSecret(ctx.db, row));
  },
});

/** The secret a test or save uses: the one typed, else the stored one; a 422 on the field when there is neither. */
async function secretFor(db: Db, row: TeamSso | null, typed: string | undefined): Promise<string> {
  if (typed !== undefined) return typed;
  const stored = row ? await loadSsoSecret(db, row) : null;
  if (stored === null) throw new AppError("validation_failed", "Enter the client secret.", { fields: { clientSecret: "Enter the client secret." } });
  return stored;
}

/** What an audit event may say about a test: its outcome and where it stopped. */
const testAudit = (t: SsoTestResult) => ({ ok: t.ok, ...(!t.ok && { failedStep: t.steps.find((s) => !s.ok)?.name }) });

/** Tests a draft connection (typed in the form or sent to the API); nothing is saved. */
export const testSso = defineTeamChange({
  name: "sso.test", permission: "admin", input: testSsoSchema,
  async prepare(ctx, input) {
    const row = await findTeamSso(ctx.db, ctx.teamId);
    return testSsoConnection({ ...input, clientSecret: await secretFor(ctx.db, row, input.clientSecret), redirectUri: ssoRedirectUri() });
  },
  async change(_tx, _ctx, input, test) {
    return { result: test, audit: { action: "sso.tested", targetType: "sso", targetLabel: input.issuer, metadata: testAudit(test) } };
  },
});

/** The verified domains of a team: enforcing SSO needs one (members sign in by their email's domain). */
const verifiedDomainCount = (db: Db | Tx, teamId: string) => db.ssoDomain.count({ where: { teamId, verifiedAt: { not: null } } });

export const saveSso = defineTeamChange({
  name: "sso.save", permission: "admin", input: saveSsoSchema,
  async prepare(ctx, input) {
    if (input.enforce && (await verifiedDomainCount(ctx.db, ctx.teamId)) === 0) {
      const message = "Verify a domain before enforcing single sign-on: members are sent to your provider by their email's domain.";
      throw new AppError("validation_failed", message, { fields: { enforce: message } });
    }
    const row = await findTeamSso(ctx.db, ctx.teamId);
    const clientSecret = await secretFor(ctx.db, row, input.clientSecret);
    const test = await testSsoConnection({ issuer: input.issuer, clientId: input.clientId, clientSecret, redirectUri: ssoRedirectUri() });
    if (!test.ok) throw new SsoTestFailedError(test);
    const id = row?.id ?? crypto.randomUUID();
    const sealed = input.clientSecret !== undefined ? await sealSsoSecret(ctx.teamId, id, input.clientSecret) : undefined;
    return { id, before: row, test, sealed };
  },
  async change(tx, ctx, input, { id, before, test, sealed }) {
    const data = {
      issuer: input.issuer,
      clientId: input.clientId,
      enforce: input.enforce,
      defaultRole: input.defaultRole,
      groupsClaim: input.groupsClaim ?? null,
      groupRoles: input.groupRoles,
      testedAt: test.testedAt,
      updatedByEmail: ctx.email,
    };
    const row = await tx.teamSso.upsert({ where: { teamId: ctx.teamId }, create: { id, teamId: ctx.teamId, ...data }, update: data });
    if (row.id !== id) throw new AppError("conflict", "Single sign-on was configured by someone else meanwhile: reload and try again.");
    if (sealed) await storeSsoSecret(tx, ctx.teamId, id, sealed);
    const enforcementChanged = (before?.enforce ?? false) !== input.enforce;
    // Turning enforcement on ends the password sessions (and those of unknown method, from before
    // sessions recorded it) of the members who must use SSO (everyone but admins): none keeps a
    // password session; their SSO, GitHub and Google sessions stay.
    const endedSessions = enforcementChanged && input.enforce ? await endMemberSessions(tx, ctx.teamId) : 0;
    if (enforcementChanged) {
      await recordTeamAudit(tx, ctx, {
        action: input.enforce ? "sso.enforced" : "sso.unenforced",
        targetType: "sso",
        targetId: row.id,
        targetLabel: input.issuer,
        ...(input.enforce && { metadata: { endedSessions } }),
      });
    }
    return {
      result: toSsoDto(row, true),
      audit: {
        action: "sso.updated",
        targetType: "sso",
        targetId: row.id,
        targetLabel: input.issuer,
        metadata: {
          created: !before,
          clientSecretChanged: !!sealed,
          defaultRole: input.defaultRole,
          groups: Object.keys(input.groupRoles).length,
        },
      },
    };
  },
});

/** The role of a member signing in with these groups: the highest mapped role, else the default. */
export function roleForGroups(config: { defaultRole: RoleName; groupRoles: unknown }, groups: readonly string[]): RoleName {
  const map = storedGroupRoles.parse(config.groupRoles);
  const rank: Record<RoleName, number> = { read_only: 0, developer: 1, admin: 2 };
  const mapped = groups.map((g) => map[g]).filter((r): r is RoleName => r !== undefined);
  if (mapped.length === 0) return config.defaultRole;
  return mapped.reduce((best, r) => (rank[r] > rank[best] ? r : best));
}

/** Ends the password sessions of the team's members who aren't admins; how many. */
async function endMemberSessions(tx: Tx, teamId: string): Promise<number> {
  const members = await tx.membership.findMany({ where: { teamId, role: { not: "admin" } }, select: { userId: true } });
  if (members.length === 0) return 0;
  const { count } = await tx.session.deleteMany({ where: { userId: { in: members.map((m) => m.userId) }, ...passwordSessionsWhere } });
  return count;
}
