"use server";

import { createApp, deleteApp, renameApp } from "@/lib/apps/operations";
import { runFormAction } from "@/lib/server/form-action";
import type { ActionState } from "@/lib/server/action-state";

export async function createAppAction(_prev: ActionState, formData: FormData) {
  return runFormAction(createApp, formData, { revalidate: "/apps", message: (a) => `Created ${a.name} (${a.slug}).` });
}

export async function renameAppAction(_prev: ActionState, formData: FormData) {
  return runFormAction(renameApp, formData, { revalidate: "/apps", message: (a) => `Renamed to ${a.name}.` });
}

export async function deleteAppAction(_prev: ActionState, formData: FormData) {
  return runFormAction(deleteApp, formData, { revalidate: "/apps", message: () => "App deleted." });
}
