/** The roles of a team member, with their labels: plain data, safe to import in client components (no zod). */
export const roles = ["admin", "developer", "read_only"] as const;
export type RoleName = (typeof roles)[number];

export const roleLabels: Record<RoleName, string> = {
  admin: "Admin",
  developer: "Developer",
  read_only: "Read-only",
};
