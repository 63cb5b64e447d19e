import { z } from "zod";
import "@/lib/validations/zod-config";
import { AppError } from "@/lib/errors";
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
      audit: { action: "registry.apps", targetType: "registry", targetId: registry.id, targetLabel: registry.endpoint, metadata: { allApps: input.allApps, apps: appIds.length } },
    };
  },
});
