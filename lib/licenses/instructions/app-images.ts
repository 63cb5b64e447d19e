import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { appImagesWithPullReferences } from "@/lib/apps/images/pull-references";
import type { LicenseImage } from "./types";

/**
 * The images of an app, as its license's instructions list them: the app's image list
 * (lib/apps/images) with the reference a customer pulls each by. An image no reference reaches
 * (its registry is gone, a host with a port and no registry name) is left out: the Apps page
 * shows the vendor why.
 */
export type AppImagesSource = (db: Db, app: { teamId: string; appId: string; appSlug: string }) => Promise<LicenseImage[]>;

export const appImages: AppImagesSource = async (db, app) => {
  // A deleted app lists nothing (its licenses are revoked; their pages still show what was issued).
  const listed = await appImagesWithPullReferences(db, { teamId: app.teamId, appId: app.appId }).catch((e: unknown) => {
    if (e instanceof AppError && e.code === "not_found") return { images: [] };
    throw e;
  });
  const { images } = listed;
  return images.flatMap((i) =>
    i.pullReference ? [{ reference: i.pullReference, source: i.image, via: i.pullFrom === "hosted-registry" ? ("hosted" as const) : ("proxy" as const), helmChart: i.helmChart }] : [],
  );
};
