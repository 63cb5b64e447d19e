import type { Db } from "@/lib/db/client";
import type { LicenseImage } from "./types";

/**
 * The images of an app, as its license's instructions list them. The app's image list is the
 * one source; this adapter only turns its entries into what the instructions need.
 */
export type AppImagesSource = (db: Db, app: { teamId: string; appId: string; appSlug: string }) => Promise<LicenseImage[]>;

export const appImages: AppImagesSource = async () => [];
