import { isCacheRepository } from "@/lib/cache/naming";
import type { Db } from "@/lib/db/client";
import { isListedForApp } from "@/lib/apps/images/entitlement";
import { can } from "@/lib/auth/permissions";
import type { ActiveLicense } from "@/lib/licenses/verify";
import type { RoleName } from "@/lib/teams/role-names";
import type { RegistryAccess } from "./jwt";

/**
 * Who asked for a registry token, once their credentials checked out, and what they may do.
 *
 * Repository names in the hosted registry are `<app-slug>/<image…>`; app slugs are unique across
 * the installation, so the first path component names exactly one app and therefore one team.
 * - A team member (email + password) and an API token of a team get `pull,push` on the repositories
 *   of their team's apps, `pull` only with a read-only role (a user token acts with the lower of
 *   its own and its user's role, lib/tokens/authenticate.ts).
 * - A license gets `pull` on the repositories of its own app; when the app lists its images and
 *   "only listed images" is on, on the hosted repositories it lists only (the proxy's rule,
 *   lib/apps/images/entitlement.ts).
 * - Nothing else is ever granted: no other team's slug, no deleted app's slug (to anyone: a
 *   slug is never reused, lib/apps/operations.ts), no repository outside an app, no `delete`,
 *   no `*`, no catalog, and nothing under `portcullis-cache/` (the proxy cache's store, whose
 *   tokens only the portal signs: lib/cache/store.ts), even for an app that took that slug
 *   before it was reserved.
 */
export type Principal =
  | { kind: "anonymous" }
  /** Email + password: every team the user is a member of, each with that membership's role. */
  | { kind: "user"; userId: string; email: string }
  /** An API token: one team, one role. */
  | { kind: "token"; tokenId: string; teamId: string; role: RoleName }
  | { kind: "license"; license: ActiveLicense };

/** The JWT `sub`: an opaque, stable name Distribution hands back as the notification's actor. */
export function subjectOf(p: Principal): string {
  switch (p.kind) {
    case "anonymous":
      return "";
    case "user":
      return `user:${p.userId}`;
    case "token":
      return `token:${p.tokenId}`;
    case "license":
      // The License row's id, never the license ID (the credential).
      return `license:${p.license.id}`;
  }
}

const ORDER = ["pull", "push"] as const;
const roleActions = (role: RoleName): ReadonlySet<string> => new Set(can(role, "write") ? ["pull", "push"] : ["pull"]);
const PULL_ONLY: ReadonlySet<string> = new Set(["pull"]);

export const slugOf = (repository: string): string | null => {
  const slash = repository.indexOf("/");
  return slash > 0 ? repository.slice(0, slash) : null;
};

/** The granted subset of the requested actions per repository (repositories with none are left out). */
export async function grantAccess(db: Db, principal: Principal, requested: Map<string, Set<string>>): Promise<RegistryAccess[]> {
  requested = new Map([...requested].filter(([name]) => !isCacheRepository(name)));
  if (principal.kind === "anonymous" || requested.size === 0) return [];
  const slugs = [...new Set([...requested.keys()].map(slugOf).filter((s): s is string => s !== null))];
  if (slugs.length === 0) return [];
  // A deleted app's slug stays taken by its tombstone and is granted to nobody, its own team included.
  const apps = await db.app.findMany({ where: { slug: { in: slugs }, deletedAt: null }, select: { id: true, slug: true, teamId: true } });
  const appBySlug = new Map(apps.map((a) => [a.slug, a]));

  let allowedFor: (app: { id: string; teamId: string }, repository: string) => ReadonlySet<string> | undefined;
  if (principal.kind === "license") {
    const l = principal.license;
    const asksOwnApp = apps.some((a) => a.id === l.appId && a.teamId === l.teamId);
    const own = asksOwnApp
      ? await db.app.findFirst({
          where: { id: l.appId, teamId: l.teamId },
          select: { onlyListedImages: true, images: { where: { teamId: l.teamId }, select: { source: true, registryHost: true, repository: true } } },
        })
      : null;
    allowedFor = (app, repository) =>
      own && app.id === l.appId && app.teamId === l.teamId && isListedForApp(own, { source: "hosted", repository }) ? PULL_ONLY : undefined;
  } else if (principal.kind === "token") {
    const actions = roleActions(principal.role);
    allowedFor = (app) => (app.teamId === principal.teamId ? actions : undefined);
  } else {
    const teamIds = [...new Set(apps.map((a) => a.teamId))];
    const memberships = teamIds.length
      ? await db.membership.findMany({ where: { userId: principal.userId, teamId: { in: teamIds } }, select: { teamId: true, role: true } })
      : [];
    const roleByTeam = new Map(memberships.map((m) => [m.teamId, m.role]));
    allowedFor = (app) => {
      const role = roleByTeam.get(app.teamId);
      return role ? roleActions(role) : undefined;
    };
  }

  const access: RegistryAccess[] = [];
  for (const [name, actions] of requested) {
    const slug = slugOf(name);
    const app = slug ? appBySlug.get(slug) : undefined;
    const allowed = app ? allowedFor(app, name) : undefined;
    if (!allowed) continue;
    const granted = ORDER.filter((a) => actions.has(a) && allowed.has(a));
    if (granted.length > 0) access.push({ type: "repository", name, actions: granted });
  }
  return access;
}
