import { z } from "zod";
import "@/lib/validations/zod-config";
import { AppError } from "@/lib/errors";
import { displayHost } from "@/lib/registries/connection";
import { defineOperation } from "@/lib/server/operation";
import { findOr404 } from "@/lib/server/find-or-404";
import { defineTeamChange } from "@/lib/server/team-change";

/**
 * Which apps may pull from a registry: all of the team's (the default) or the chosen ones. The
 * proxy's lookup refuses a license of any other app with `registry_not_in_app`
 * (lib/apps/images/entitlement.ts). Admins only, like the registry's other settings.
 */
export const setRegistryAppsSchema = z
  .object({
    id: z.uuid("Unknown registry."),
    allApps: z.boolean().meta({ description: "true: every app of the team may pull from it." }),
    appIds: z.array(z.uuid("Unknown app.")).max(500).default([]).meta({ description: "The apps that may, when `allApps` is false." }),
  })
  .refine((v) => v.allApps || v.appIds.length > 0, { message: "Choose at least one app, or allow all apps.", path: ["appIds"] });

export const registryAppsDtoSchema = z.object({ id: z.uuid(), allApps: z.boolean(), appIds: z.array(z.uuid()) });

export const setRegistryApps = defineTeamChange({
  name: "registries.apps", permission: "admin", input: setRegistryAppsSchema,
  async change(tx, ctx, input) {
    const registry = await findOr404(tx.registry.findFirst({ where: { id: input.id, teamId: ctx.teamId } }), "That registry does not exist.");
    const appIds = input.allApps ? [] : [...new Set(input.appIds)].sort();
    if (appIds.length > 0) {
      const apps = await tx.app.findMany({ where: { id: { in: appIds }, teamId: ctx.teamId, deletedAt: null }, select: { id: true, slug: true } });
      if (apps.length !== appIds.length) {
        throw new AppError("validation_failed", "One of the chosen apps does not exist.", { fields: { appIds: "One of the chosen apps does not exist." } });
      }
    }
    await tx.registry.update({ where: { id: registry.id }, data: { allApps: input.allApps, appIds } });
    return {
      result: { id: registry.id, allApps: input.allApps, appIds },
      audit: { action: "registry.apps", targetType: "registry", targetId: registry.id, targetLabel: displayHost(registry.endpoint), metadata: { allApps: input.allApps, apps: appIds.length } },
    };
  },
});

const appRegistriesSchema = z.object({ id: z.uuid("Unknown app.") });
const serveAppSchema = z.object({ id: z.uuid("Unknown registry."), appId: z.uuid("Unknown app."), serves: z.boolean() });

export const appRegistryDtoSchema = z.object({ id: z.uuid(), host: z.string(), name: z.string().nullable(), allApps: z.boolean(), serves: z.boolean() });
export type AppRegistryDto = z.infer<typeof appRegistryDtoSchema>;

/** The team's registries, and whether each serves this app (all apps, or this one among the chosen). */
export const appRegistries = defineOperation({
  name: "apps.registries", permission: "read", input: appRegistriesSchema,
  async run(ctx, input): Promise<AppRegistryDto[]> {
    const app = await findOr404(ctx.db.app.findFirst({ where: { id: input.id, teamId: ctx.teamId, deletedAt: null } }), "That app does not exist.");
    const registries = await ctx.db.registry.findMany({ where: { teamId: ctx.teamId }, orderBy: { createdAt: "asc" } });
    return registries.map((r) => ({ id: r.id, host: displayHost(r.endpoint), name: r.name, allApps: r.allApps, serves: r.allApps || r.appIds.includes(app.id) }));
  },
});

/**
 * Lets one app use a registry, or stops it. Stopping it on a registry that serves all apps scopes
 * the registry to every other live app of the team (so they keep pulling); a registry must serve
 * at least one app.
 */
export const setRegistryServesApp = defineTeamChange({
  name: "registries.serve_app", permission: "admin", input: serveAppSchema,
  async change(tx, ctx, input) {
    const registry = await findOr404(tx.registry.findFirst({ where: { id: input.id, teamId: ctx.teamId } }), "That registry does not exist.");
    const app = await findOr404(tx.app.findFirst({ where: { id: input.appId, teamId: ctx.teamId, deletedAt: null } }), "That app does not exist.");
    const current = registry.allApps ? (await tx.app.findMany({ where: { teamId: ctx.teamId, deletedAt: null }, select: { id: true } })).map((a) => a.id) : registry.appIds;
    if (input.serves === (registry.allApps || registry.appIds.includes(app.id))) return { result: { id: registry.id, allApps: registry.allApps, appIds: registry.appIds } };
    const appIds = (input.serves ? [...current, app.id] : current.filter((id) => id !== app.id)).sort();
    if (appIds.length === 0) {
      throw new AppError("validation_failed", `${displayHost(registry.endpoint)} would serve no app: it serves at least one (delete it on the Images page instead).`);
    }
    await tx.registry.update({ where: { id: registry.id }, data: { allApps: false, appIds } });
    return {
      result: { id: registry.id, allApps: false, appIds },
      audit: { action: "registry.apps", targetType: "registry", targetId: registry.id, targetLabel: displayHost(registry.endpoint), metadata: { allApps: false, apps: appIds.length, [input.serves ? "added" : "removed"]: app.slug } },
    };
  },
});
