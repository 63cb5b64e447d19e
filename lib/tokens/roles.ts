import type { RoleName } from "@/lib/teams/role-names";

const rank: Record<RoleName, number> = { read_only: 0, developer: 1, admin: 2 };

/** The weaker of two roles: a token never acts with more than its holder may. */
export function lowerRole(a: RoleName, b: RoleName): RoleName {
  return rank[a] <= rank[b] ? a : b;
}
