import type { Db } from "@/lib/db/client";
import { logger } from "@/lib/log/log";
import type { TeamContext } from "@/lib/auth/context";
import { apiTokenHashCandidates, parseApiToken } from "./format";
import { lowerRole } from "./roles";

/** lastUsedAt is written at most this often per token: one UPDATE a minute, not one per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

const labelFor = (kind: "service_account" | "team", name: string) => `${name} (${kind === "team" ? "team token" : "service account"})`;

/**
 * Resolves an API token to the team context it acts in, or null for anything that must not
 * authenticate: malformed or mistyped (checksum), unknown, revoked, expired, or a personal token
 * whose user has left the team. Revocation and expiry take effect on the next request: nothing is
 * cached. The lookup is a unique-index probe on a keyed hash, so its timing says nothing about
 * how close a guess was.
 *
 * A personal token acts as its user with the lower of the token's role and the user's current
 * role, so a demoted member's tokens are demoted too.
 */
export async function authenticateBearer(db: Db, token: string, opts: { ip?: string | null } = {}): Promise<TeamContext | null> {
  const kind = parseApiToken(token);
  if (!kind) return null;
  const row = await db.apiToken.findFirst({
    where: { OR: apiTokenHashCandidates(token) },
    include: { team: { select: { name: true } } },
  });
  const now = Date.now();
  if (!row || row.kind !== kind || row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now)) return null;

  let ctx: TeamContext;
  if (row.kind === "user") {
    if (!row.userId) return null;
    const membership = await db.membership.findUnique({
      where: { teamId_userId: { teamId: row.teamId, userId: row.userId } },
      include: { user: { select: { email: true } } },
    });
    if (!membership) return null;
    ctx = {
      db,
      userId: row.userId,
      email: membership.user.email,
      teamId: row.teamId,
      teamName: row.team.name,
      role: lowerRole(row.role, membership.role),
      ip: opts.ip ?? null,
      token: { id: row.id, kind: row.kind, name: row.name },
    };
  } else {
    ctx = {
      db,
      userId: row.id,
      email: labelFor(row.kind, row.name),
      teamId: row.teamId,
      teamName: row.team.name,
      role: row.role,
      ip: opts.ip ?? null,
      token: { id: row.id, kind: row.kind, name: row.name },
    };
  }

  if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional, so concurrent requests write once; a failure here must not fail the request.
    await db.apiToken
      .updateMany({
        where: { id: row.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - LAST_USED_RESOLUTION_MS) } }] },
        data: { lastUsedAt: new Date(now) },
      })
      .catch((e: unknown) => logger().error("could not record token use", { error: e }));
  }
  return ctx;
}
