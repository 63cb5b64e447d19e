import { z } from "zod";
import { defineOperation } from "@/lib/server/operation";
import type { TeamContext } from "@/lib/auth/context";
import type { Db, Tx } from "@/lib/db/client";
import { AppError, notFound } from "@/lib/errors";
import { findOr404 } from "@/lib/server/find-or-404";
import { defineTeamChange, type TeamChangeOutcome } from "@/lib/server/team-change";
import { revokeLicensesOf } from "@/lib/licenses/revoke";
import { appRefSchema, createAppSchema, deleteAppSchema, renameAppSchema } from "@/lib/apps/schemas";
import { hostedImagesClient } from "@/lib/registry-auth/hosted-images";
import type { AppDeleted, AppDeletionPreview, AppDto } from "@/lib/apps/dto";


const toDto = (a: { id: string; name: string; slug: string; createdAt: Date }): AppDto => ({
  id: a.id,
  name: a.name,
  slug: a.slug,
  createdAt: a.createdAt,
});

/**
 * A live (not deleted) app of the caller's team. A deleted app keeps its row as a tombstone, so
 * its slug is never taken again; every lookup of apps goes through `liveApp` (or filters
 * `deletedAt: null` itself) and so never finds it.
 */
const liveApp = { deletedAt: null } as const;

const APP_NOT_FOUND = "That app does not exist.";

/** What an app's audit events name: the app, by its slug. */
const appTarget = (app: { id: string; slug: string }) => ({ targetType: "app", targetId: app.id, targetLabel: app.slug });

function findLiveApp(db: Db | Tx, ctx: TeamContext, id: string) {
  return findOr404(db.app.findFirst({ where: { id, teamId: ctx.teamId, ...liveApp } }), APP_NOT_FOUND);
}

export const listApps = defineOperation({
  name: "apps.list", permission: "read", input: z.object({}).optional(),
  async run(ctx) {
    const apps = await ctx.db.app.findMany({ where: { teamId: ctx.teamId, ...liveApp }, orderBy: { createdAt: "asc" } });
    return apps.map(toDto);
  },
});

export const createApp = defineTeamChange({
  name: "apps.create", permission: "write", input: createAppSchema,
  async change(tx, ctx, input) {
    const app = await tx.app.create({ data: { teamId: ctx.teamId, name: input.name, slug: input.slug } });
    return { result: toDto(app), audit: { action: "app.create", ...appTarget(app), metadata: { name: app.name } } };
  },
  async conflict(ctx, input) {
    const holder = await ctx.db.app.findUnique({ where: { slug: input.slug }, select: { deletedAt: true } });
    const message = holder?.deletedAt
      ? `The slug "${input.slug}" belonged to a deleted app. Slugs are never reused, so that app's image paths and history can't pass to another; choose another slug.`
      : `The slug "${input.slug}" is already in use. Slugs are unique across Portcullis; choose another.`;
    return new AppError("conflict", holder?.deletedAt ? "That slug belonged to a deleted app." : "That slug is taken.", { fields: { slug: message } });
  },
});

export const renameApp = defineTeamChange({
  name: "apps.rename", permission: "write", input: renameAppSchema,
  async change(tx, ctx, input) {
    const app = await findLiveApp(tx, ctx, input.id);
    if (input.slug !== undefined && input.slug !== app.slug) {
      const message = `Slugs can't be changed: ${app.slug} is part of every image path. Create a new app for a new slug.`;
      throw new AppError("validation_failed", message, { fields: { slug: message } });
    }
    const updated = await tx.app.update({ where: { id: app.id }, data: { name: input.name } });
    return { result: toDto(updated), audit: { action: "app.rename", ...appTarget(app), metadata: { from: app.name, to: input.name } } };
  },
});

/** What deleting the app would do: the licenses it revokes and the hosted registry's repositories and tags it deletes. */
export const appDeletionPreview = defineOperation({
  name: "apps.deletion_preview", permission: "admin", input: appRefSchema,
  async run(ctx, input): Promise<AppDeletionPreview> {
    const app = await findLiveApp(ctx.db, ctx, input.id);
    const now = new Date();
    const [active, total] = await Promise.all([
      ctx.db.license.count({ where: { teamId: ctx.teamId, appId: app.id, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } }),
      ctx.db.license.count({ where: { teamId: ctx.teamId, appId: app.id } }),
    ]);
    const hosted = hostedImagesClient();
    let hostedRegistry: AppDeletionPreview["hostedRegistry"] = { configured: false };
    if (hosted) {
      try {
        const repos = await hosted.list(app.slug);
        hostedRegistry = {
          configured: true,
          reachable: true,
          repositories: repos.map((r) => ({ name: r.name, tags: r.tags.length })),
          tags: repos.reduce((n, r) => n + r.tags.length, 0),
        };
      } catch (e) {
        hostedRegistry = { configured: true, reachable: false, error: (e as Error).message };
      }
    }
    return { app: toDto(app), licenses: { active, total }, hostedRegistry };
  },
});

/**
 * Deletes an app (admins): first every tagged image under `<slug>/` in the hosted registry
 * (refused, with nothing changed, when the registry can't be reached or refuses; a retry
 * continues where a partial purge stopped), then in one transaction: the app becomes a
 * tombstone (its slug stays taken forever, by nobody), and its unrevoked licenses are revoked,
 * kept, and get a `license.revoke` event each. Their sealed license IDs stay with them.
 */
export const deleteApp = defineTeamChange({
  name: "apps.delete", permission: "admin", input: deleteAppSchema,
  async prepare(ctx, input) {
    const app = await findLiveApp(ctx.db, ctx, input.id);
    if (input.confirmSlug !== app.slug) {
      throw new AppError("validation_failed", "Type the slug to confirm.", {
        fields: { confirmSlug: `Type ${app.slug} to confirm deletion.` },
      });
    }
    const hosted = hostedImagesClient();
    let purged = { repositories: 0, tags: 0, manifests: 0 };
    if (hosted) {
      try {
        purged = await hosted.purge(app.slug);
      } catch (e) {
        throw new AppError("unavailable", `${(e as Error).message} The app was not deleted: its images must be deleted first. Try again once the hosted registry answers.`);
      }
    }
    return { app, purged };
  },
  async change(tx, ctx, _input, { app, purged }): Promise<TeamChangeOutcome<AppDeleted>> {
    const now = new Date();
    const claimed = await tx.app.updateMany({
      where: { id: app.id, teamId: ctx.teamId, ...liveApp },
      data: { deletedAt: now, deletedById: ctx.userId, deletedByEmail: ctx.email },
    });
    if (claimed.count !== 1) throw notFound(APP_NOT_FOUND);
    const revokedLicenses = await revokeLicensesOf(tx, ctx, { appId: app.id }, "app deleted", now);
    return {
      result: { id: app.id, slug: app.slug, deletedAt: now, revokedLicenses, hostedImages: purged },
      audit: {
        action: "app.delete",
        ...appTarget(app),
        metadata: { name: app.name, revokedLicenses, hostedRepositories: purged.repositories, hostedTags: purged.tags },
      },
    };
  },
});
