"use server";

import { appDeletionPreview, createApp, deleteApp, renameApp } from "@/lib/apps/operations";
import { runFormAction } from "@/lib/server/form-action";
import type { ActionState } from "@/lib/server/action-state";

export async function createAppAction(_prev: ActionState, formData: FormData) {
  return runFormAction(createApp, formData, { revalidate: "/apps", message: (a) => `Created ${a.name} (${a.slug}).` });
}

export async function renameAppAction(_prev: ActionState, formData: FormData) {
  return runFormAction(renameApp, formData, { revalidate: "/apps", message: (a) => `Renamed to ${a.name}.` });
}

/** What deleting the app would do (licenses, hosted registry images), for the confirmation dialog. */
export async function appDeletionPreviewAction(id: string) {
  const formData = new FormData();
  formData.set("id", id);
  return runFormAction(appDeletionPreview, formData);
}

export async function deleteAppAction(_prev: ActionState, formData: FormData) {
  return runFormAction(deleteApp, formData, {
    revalidate: "/apps",
    message: (r) =>
      `Deleted ${r.slug}: ${r.revokedLicenses} license(s) revoked, ${r.hostedImages.tags} tag(s) in ${r.hostedImages.repositories} hosted repositor${r.hostedImages.repositories === 1 ? "y" : "ies"} deleted. The slug stays reserved.`,
  });
}
