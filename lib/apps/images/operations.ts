import { defineOperation } from "@/lib/server/operation";
import type { TeamContext } from "@/lib/auth/context";
import type { Db, Tx } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { findOr404 } from "@/lib/server/find-or-404";
import { defineTeamChange, type TeamChangeOutcome } from "@/lib/server/team-change";
import type { AppImageDetailsDto, AppImageDto, AppImagesDto, AppImageSuggestionDto } from "./dto";
import { describeAppImage } from "./details";
import { parseAppImage, type ParseContext } from "./parse";
import { appImagesWithPullReferences, hostsFromEnv, pullReferenceOf } from "./pull-references";
import { addAppImageSchema, appImageDetailsSchema, appImagesRefSchema, removeAppImageSchema, setOnlyListedImagesSchema } from "./schemas";
import { suggestAppImages } from "./suggestions";

/**
 * An app's images: the list the vendor keeps (add, remove), what each is now (live, which also
 * records whether it is a Helm chart), what the
 * pull log suggests adding, and the "only listed images" switch. Every change is audited as an
 * `app.*` event on the app, which also tells the proxies to drop their cached answers for it.
 */

const APP_NOT_FOUND = "That app does not exist.";
const IMAGE_NOT_FOUND = "That image is not one of this app's.";

function findLiveApp(db: Db | Tx, ctx: TeamContext, id: string) {
  return findOr404(db.app.findFirst({ where: { id, teamId: ctx.teamId, deletedAt: null } }), APP_NOT_FOUND);
}

const appTarget = (app: { id: string; slug: string }) => ({ targetType: "app", targetId: app.id, targetLabel: app.slug });

async function parseContext(db: Db | Tx, ctx: TeamContext, appSlug: string): Promise<ParseContext> {
  const registries = await db.registry.findMany({ where: { teamId: ctx.teamId }, select: { endpoint: true, name: true }, orderBy: { createdAt: "asc" } });
  const hosts = hostsFromEnv();
  return { appSlug, hostedHost: hosts.registryHost, dockerHubRegistry: hosts.dockerHubRegistry, registries };
}

export const listAppImages = defineOperation({
  name: "apps.images.list", permission: "read", input: appImagesRefSchema,
  async run(ctx, input): Promise<AppImagesDto> {
    return appImagesWithPullReferences(ctx.db, { teamId: ctx.teamId, appId: input.id });
  },
});

export const addAppImage = defineTeamChange({
  name: "apps.images.add", permission: "write", input: addAppImageSchema,
  async change(tx, ctx, input): Promise<TeamChangeOutcome<AppImageDto>> {
    const app = await findLiveApp(tx, ctx, input.id);
    const parseCtx = await parseContext(tx, ctx, app.slug);
    const parsed = parseAppImage(input.reference, parseCtx);
    const image = await tx.appImage.create({ data: { teamId: ctx.teamId, appId: app.id, ...parsed, createdByEmail: ctx.email } });
    const dto = pullReferenceOf(image, app.slug, parseCtx.registries, hostsFromEnv());
    return { result: dto, audit: { action: "app.image_add", ...appTarget(app), metadata: { image: dto.image } } };
  },
  async conflict(ctx, input) {
    const message = `${input.reference} is already one of this app's images.`;
    return new AppError("conflict", message, { fields: { reference: message } });
  },
});

export const removeAppImage = defineTeamChange({
  name: "apps.images.remove", permission: "write", input: removeAppImageSchema,
  async change(tx, ctx, input) {
    const app = await findLiveApp(tx, ctx, input.id);
    const image = await findOr404(tx.appImage.findFirst({ where: { id: input.imageId, appId: app.id, teamId: ctx.teamId } }), IMAGE_NOT_FOUND);
    await tx.appImage.delete({ where: { id: image.id } });
    return {
      result: { id: image.id },
      audit: { action: "app.image_remove", ...appTarget(app), metadata: { repository: image.repository, registryHost: image.registryHost } },
    };
  },
});

export const setOnlyListedImages = defineTeamChange({
  name: "apps.images.setting", permission: "write", input: setOnlyListedImagesSchema,
  async change(tx, ctx, input) {
    const app = await findLiveApp(tx, ctx, input.id);
    await tx.app.update({ where: { id: app.id }, data: { onlyListedImages: input.onlyListedImages } });
    return {
      result: { id: app.id, onlyListedImages: input.onlyListedImages },
      audit: { action: "app.images_setting", ...appTarget(app), metadata: { onlyListedImages: input.onlyListedImages } },
    };
  },
});

export const appImageDetails = defineOperation({
  name: "apps.images.details", permission: "read", input: appImageDetailsSchema,
  async run(ctx, input): Promise<AppImageDetailsDto> {
    const app = await findLiveApp(ctx.db, ctx, input.id);
    const image = await findOr404(ctx.db.appImage.findFirst({ where: { id: input.imageId, appId: app.id, teamId: ctx.teamId } }), IMAGE_NOT_FOUND);
    const details = await describeAppImage(ctx.db, ctx.teamId, image);
    // Whether it is a Helm chart is kept for the install instructions (`helm install oci://…`);
    // a registry that can't be read now leaves what was last read.
    if (details.ok && details.helmChart !== image.helmChart) {
      await ctx.db.appImage.updateMany({ where: { id: image.id, teamId: ctx.teamId }, data: { helmChart: details.helmChart } });
    }
    return details;
  },
});

export const appImageSuggestions = defineOperation({
  name: "apps.images.suggestions", permission: "read", input: appImagesRefSchema,
  async run(ctx, input): Promise<AppImageSuggestionDto[]> {
    const app = await findLiveApp(ctx.db, ctx, input.id);
    const listed = await ctx.db.appImage.findMany({ where: { appId: app.id, teamId: ctx.teamId }, select: { source: true, registryHost: true, repository: true } });
    return suggestAppImages(ctx.db, { teamId: ctx.teamId, appId: app.id, listed, parse: await parseContext(ctx.db, ctx, app.slug) });
  },
});
