import { z } from "zod";
import { defineOperation } from "@/lib/server/operation";
import { actorOf, recordAudit } from "@/lib/audit/record";
import { AppError, isUniqueViolation, notFound } from "@/lib/errors";
import { createAppSchema, deleteAppSchema, renameAppSchema } from "@/lib/validations/apps";

export interface AppDto {
  id: string;
  name: string;
  slug: string;
  createdAt: Date;
}

const toDto = (a: { id: string; name: string; slug: string; createdAt: Date }): AppDto => ({
  id: a.id,
  name: a.name,
  slug: a.slug,
  createdAt: a.createdAt,
});

export const listApps = defineOperation({
  name: "apps.list",
  permission: "read",
  input: z.object({}).optional(),
  async run(ctx) {
    const apps = await ctx.db.app.findMany({ where: { teamId: ctx.teamId }, orderBy: { createdAt: "asc" } });
    return apps.map(toDto);
  },
});

export const createApp = defineOperation({
  name: "apps.create",
  permission: "write",
  input: createAppSchema,
  async run(ctx, input) {
    try {
      return await ctx.db.$transaction(async (tx) => {
        const app = await tx.app.create({ data: { teamId: ctx.teamId, name: input.name, slug: input.slug } });
        await recordAudit(tx, ctx.teamId, actorOf(ctx), {
          action: "app.create",
          targetType: "app",
          targetId: app.id,
          targetLabel: app.slug,
          metadata: { name: app.name },
        });
        return toDto(app);
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new AppError("conflict", "That slug is taken.", {
          fields: { slug: `The slug "${input.slug}" is already in use. Slugs are unique across Portcullis; choose another.` },
        });
      }
      throw e;
    }
  },
});

export const renameApp = defineOperation({
  name: "apps.rename",
  permission: "write",
  input: renameAppSchema,
  async run(ctx, input) {
    return ctx.db.$transaction(async (tx) => {
      const app = await tx.app.findFirst({ where: { id: input.id, teamId: ctx.teamId } });
      if (!app) throw notFound("That app does not exist.");
      const updated = await tx.app.update({ where: { id: app.id }, data: { name: input.name } });
      await recordAudit(tx, ctx.teamId, actorOf(ctx), {
        action: "app.rename",
        targetType: "app",
        targetId: app.id,
        targetLabel: app.slug,
        metadata: { from: app.name, to: input.name },
      });
      return toDto(updated);
    });
  },
});

export const deleteApp = defineOperation({
  name: "apps.delete",
  permission: "write",
  input: deleteAppSchema,
  async run(ctx, input) {
    return ctx.db.$transaction(async (tx) => {
      const app = await tx.app.findFirst({ where: { id: input.id, teamId: ctx.teamId } });
      if (!app) throw notFound("That app does not exist.");
      if (input.confirmSlug !== app.slug) {
        throw new AppError("validation_failed", "Type the slug to confirm.", {
          fields: { confirmSlug: `Type ${app.slug} to confirm deletion.` },
        });
      }
      await tx.app.delete({ where: { id: app.id } });
      await recordAudit(tx, ctx.teamId, actorOf(ctx), {
        action: "app.delete",
        targetType: "app",
        targetId: app.id,
        targetLabel: app.slug,
        metadata: { name: app.name },
      });
      return { id: app.id };
    });
  },
});
