import { z } from "zod";
import type { TeamContext } from "@/lib/auth/context";
import { defineOperation } from "@/lib/server/operation";
import { defineTeamChange, type TeamChangeOutcome } from "@/lib/server/team-change";
import { can, type Permission } from "@/lib/auth/permissions";
import { forbidden, notFound } from "@/lib/errors";
import type { RoleName } from "@/lib/teams/role-names";
import { createPersonalTokenSchema, createServiceAccountSchema, createTeamTokenSchema, revokeTokenSchema } from "@/lib/tokens/schemas";
import { type TokenKindName } from "@/lib/tokens/kinds";
import { newApiToken } from "./format";
import { lowerRole } from "./roles";
import type { ApiTokenDto } from "@/lib/tokens/dto";

export type { ApiTokenDto } from "@/lib/tokens/dto";

type TokenStatus = ApiTokenDto["status"];

type TokenRow = {
  id: string;
  kind: TokenKindName;
  name: string;
  role: RoleName;
  tokenHint: string;
  userId: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

function tokenStatus(t: { revokedAt: Date | null; expiresAt: Date | null }, now = Date.now()): TokenStatus {
  if (t.revokedAt) return "revoked";
  if (t.expiresAt && t.expiresAt.getTime() <= now) return "expired";
  return "active";
}

const toDto = (t: TokenRow, ownerEmail: string | null = null): ApiTokenDto => ({
  id: t.id,
  kind: t.kind,
  name: t.name,
  role: t.role,
  hint: t.tokenHint,
  userId: t.userId,
  ownerEmail,
  status: tokenStatus(t),
  createdAt: t.createdAt,
  expiresAt: t.expiresAt,
  lastUsedAt: t.lastUsedAt,
  revokedAt: t.revokedAt,
});

/** What the audit events of a token name: the token, by name. */
const tokenTarget = (t: { id: string; name: string }) => ({ targetType: "token", targetId: t.id, targetLabel: t.name });

/** The token an issuing operation creates. */
interface TokenSpec {
  kind: TokenKindName;
  name: string;
  role: RoleName;
  userId: string | null;
  expiresAt?: Date;
}

/**
 * An operation that issues an API token: the token `token` describes, for the caller's team,
 * shown once in the answer; only its keyed hash is stored. Tokens are minted only from a
 * signed-in session: a leaked token must not be able to mint others that would outlive its own
 * revocation.
 */
function defineTokenIssue<S extends z.ZodType>(op: { name: string; permission: Permission; input: S; token(ctx: TeamContext, input: z.output<S>): TokenSpec }) {
  return defineTeamChange({
    name: op.name,
    permission: op.permission,
    input: op.input,
    prepare(ctx, input) {
      if (ctx.token) throw forbidden("API tokens can only be created by a person signed in to the portal, not with another token.");
      const spec = op.token(ctx, input);
      return { spec, minted: newApiToken(spec.kind) };
    },
    async change(tx, ctx, _input, { spec, minted: { token, tokenHash, tokenHashKey, tokenHint } }): Promise<TeamChangeOutcome<ApiTokenDto & { token: string }>> {
      const row = await tx.apiToken.create({
        data: { teamId: ctx.teamId, ...spec, expiresAt: spec.expiresAt ?? null, tokenHash, tokenHashKey, tokenHint, createdById: ctx.userId },
      });
      return {
        result: { ...toDto(row, spec.kind === "user" ? ctx.email : null), token },
        audit: {
          action: "token.create",
          ...tokenTarget(row),
          metadata: { kind: row.kind, role: row.role, hint: row.tokenHint, expiresAt: row.expiresAt?.toISOString() ?? null },
        },
      };
    },
  });
}

/** The caller's own personal tokens, and the team's service accounts and team tokens; admins see every member's personal tokens too. */
export const listTokens = defineOperation({
  name: "tokens.list", permission: "read", input: z.object({}).optional(),
  async run(ctx) {
    const rows = await ctx.db.apiToken.findMany({
      where: can(ctx.role, "admin")
        ? { teamId: ctx.teamId }
        : { teamId: ctx.teamId, OR: [{ kind: { not: "user" } }, { kind: "user", userId: ctx.userId }] },
      orderBy: { createdAt: "desc" },
    });
    const userIds = [...new Set(rows.map((r) => r.userId).filter((id): id is string => !!id))];
    const users = userIds.length ? await ctx.db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } }) : [];
    const emailOf = new Map(users.map((u) => [u.id, u.email]));
    return rows.map((r) => toDto(r, r.userId ? (emailOf.get(r.userId) ?? null) : null));
  },
});

/** A personal token acts as its creator, with at most the creator's role (checked again at each use). */
export const createPersonalToken = defineTokenIssue({
  name: "tokens.create_personal", permission: "read", input: createPersonalTokenSchema,
  token: (ctx, input) => ({ kind: "user", name: input.name, role: input.role ? lowerRole(input.role, ctx.role) : ctx.role, userId: ctx.userId, expiresAt: input.expiresAt }),
});

/** A named, team-owned robot identity with a role of its own, for CI. */
export const createServiceAccount = defineTokenIssue({
  name: "tokens.create_service_account", permission: "admin", input: createServiceAccountSchema,
  token: (_ctx, input) => ({ kind: "service_account", name: input.name, role: input.role, userId: null, expiresAt: input.expiresAt }),
});

/** A team-wide token with admin rights (docker login and automation that needs no named identity). */
export const createTeamToken = defineTokenIssue({
  name: "tokens.create_team", permission: "admin", input: createTeamTokenSchema,
  token: (_ctx, input) => ({ kind: "team", name: input.name, role: "admin", userId: null, expiresAt: input.expiresAt }),
});

/**
 * Revokes a token at once (the next request with it is refused). Anyone may revoke their own
 * personal token; everything else needs an admin. Revoking a revoked token changes nothing.
 */
export const revokeToken = defineTeamChange({
  name: "tokens.revoke", permission: "read", input: revokeTokenSchema,
  async change(tx, ctx, input) {
    const row = await tx.apiToken.findFirst({ where: { id: input.id, teamId: ctx.teamId } });
    const own = row?.kind === "user" && row.userId === ctx.userId;
    if (!row || (row.kind === "user" && !own && !can(ctx.role, "admin"))) throw notFound("That token does not exist.");
    if (!own && !can(ctx.role, "admin")) throw forbidden("Only team admins can revoke service accounts and team tokens.");
    // Conditional update: of two concurrent revokes, only one changes the row and writes the event.
    const claimed = await tx.apiToken.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt: new Date() } });
    const result = toDto(await tx.apiToken.findUniqueOrThrow({ where: { id: row.id } }));
    if (claimed.count === 0) return { result };
    return { result, audit: { action: "token.revoke", ...tokenTarget(row), metadata: { kind: row.kind, hint: row.tokenHint } } };
  },
});
