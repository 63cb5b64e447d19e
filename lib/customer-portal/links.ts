import { env } from "@/lib/config/env";
import type { Db } from "@/lib/db/client";
import { hashToken, randomToken } from "@/lib/auth/tokens";
import { AppError } from "@/lib/errors";
import { findOr404 } from "@/lib/server/find-or-404";
import { defineTeamChange, type TeamChangeOutcome } from "@/lib/server/team-change";
import { auditPortalOpen } from "./audit";
import { licenseStatusOf } from "./license-status";
import { createCustomerSession } from "./sessions";
import { createPortalLinkSchema, portalTokenSchema } from "./schemas";

/**
 * Customer portal links: single-use, expiring (default 7 days) links a vendor sends a customer.
 * Only the keyed hash of the token is stored (AUTH_SECRET, like sessions and invites). Opening a
 * link uses it up and starts a customer session; a used or expired link is refused, and so is
 * a link of a license that is no longer active.
 */
const PURPOSE = "portal-link";

/** The portal's public base URL for links made outside a browser request (the REST API). */
const portalBase = () => (env().PORTAL_URL ?? `http://localhost:${env().PORT}`).replace(/\/+$/, "");

export const portalLinkPath = (token: string) => `/portal/open/${token}`;

/** Makes a portal link for a license of the caller's team. Developer role and up: it opens a session that sees the license ID. */
export const createPortalLink = defineTeamChange({
  name: "licenses.portal_link", permission: "write", input: createPortalLinkSchema,
  async change(tx, ctx, input): Promise<TeamChangeOutcome<{ url: string; expiresAt: Date }>> {
    const license = await findOr404(
      tx.license.findFirst({
        where: { id: input.id, teamId: ctx.teamId },
        select: { id: true, licenseIdHint: true, revokedAt: true, expiresAt: true, customer: { select: { name: true, archivedAt: true } }, app: { select: { slug: true, deletedAt: true } } },
      }),
      "That license does not exist.",
    );
    const status = licenseStatusOf(license);
    if (status !== "active") throw new AppError("conflict", `This license is ${status}: its customer can't use the portal.`);
    const token = randomToken();
    const expiresAt = new Date(Date.now() + input.expiresInDays * 24 * 3600 * 1000);
    await tx.customerPortalLink.create({
      data: { teamId: ctx.teamId, licenseId: license.id, tokenHash: hashToken(token, PURPOSE), expiresAt, createdById: ctx.token ? null : ctx.userId },
    });
    return {
      result: { url: `${portalBase()}${portalLinkPath(token)}`, expiresAt },
      audit: {
        action: "license.portal_link",
        targetType: "license",
        targetId: license.id,
        targetLabel: `…${license.licenseIdHint}`,
        metadata: { customer: license.customer.name, app: license.app.slug, expiresAt: expiresAt.toISOString() },
      },
    };
  },
});

const linkSelect = {
  id: true,
  teamId: true,
  usedAt: true,
  expiresAt: true,
  license: {
    select: {
      id: true,
      licenseIdHint: true,
      revokedAt: true,
      expiresAt: true,
      customer: { select: { name: true, archivedAt: true } },
      app: { select: { name: true, slug: true, deletedAt: true } },
    },
  },
} as const;

const LINK_REFUSED = "This link has been used or has expired. Ask your vendor for a new one, or sign in with your license ID.";

/** What an unused link opens (for the page that asks to continue), or null for a used, expired, unknown or inactive one. Uses nothing up. */
export async function peekPortalLink(db: Db, token: string, now = new Date()) {
  if (!portalTokenSchema.safeParse(token).success) return null;
  const link = await db.customerPortalLink.findUnique({ where: { tokenHash: hashToken(token, PURPOSE) }, select: linkSelect });
  if (!link || link.usedAt || link.expiresAt <= now || licenseStatusOf(link.license, now) !== "active") return null;
  return { customerName: link.license.customer.name, appName: link.license.app.name };
}

/**
 * Opens a link: uses it up (one statement, so two requests racing for it can't both win),
 * checks its license, starts a customer session and audits it. Throws unauthenticated for a
 * used, expired or unknown link, or one whose license is no longer active.
 */
export async function openPortalLink(db: Db, token: string, ip: string | null) {
  if (!portalTokenSchema.safeParse(token).success) throw new AppError("unauthenticated", LINK_REFUSED);
  const tokenHash = hashToken(token, PURPOSE);
  const now = new Date();
  const claimed = await db.customerPortalLink.updateMany({ where: { tokenHash, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  if (claimed.count !== 1) throw new AppError("unauthenticated", LINK_REFUSED);
  const link = await db.customerPortalLink.findUniqueOrThrow({ where: { tokenHash }, select: linkSelect });
  const status = licenseStatusOf(link.license, now);
  if (status !== "active") throw new AppError("unauthenticated", `This license is ${status}: ask your vendor.`);
  const session = await createCustomerSession(db, { teamId: link.teamId, licenseRowId: link.license.id, licenseExpiresAt: link.license.expiresAt, ip });
  await auditPortalOpen(db, {
    teamId: link.teamId,
    licenseRowId: link.license.id,
    hint: link.license.licenseIdHint,
    customerName: link.license.customer.name,
    appSlug: link.license.app.slug,
    via: "link",
    ip,
  });
  return session;
}
