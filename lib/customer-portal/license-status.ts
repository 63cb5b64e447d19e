/** A license's status as the customer portal sees it: revoked also when its customer is archived or its app deleted. */
export function licenseStatusOf(
  l: { revokedAt: Date | null; expiresAt: Date | null; customer: { archivedAt: Date | null }; app: { deletedAt: Date | null } },
  now = new Date(),
): "active" | "revoked" | "expired" {
  if (l.revokedAt || l.customer.archivedAt || l.app.deletedAt) return "revoked";
  if (l.expiresAt && l.expiresAt <= now) return "expired";
  return "active";
}
