import type { RoleName } from "@/lib/teams/role-names";

/**
 * What a role may do. `read`: see the team's data. `write`: change apps, registries, customers.
 * `admin`: members, roles, credentials rotation, team tokens.
 */
export type Permission = "read" | "write" | "admin";

const granted: Record<RoleName, ReadonlySet<Permission>> = {
  admin: new Set(["read", "write", "admin"]),
  developer: new Set(["read", "write"]),
  read_only: new Set(["read"]),
};

export function can(role: RoleName, permission: Permission): boolean {
  return granted[role].has(permission);
}
