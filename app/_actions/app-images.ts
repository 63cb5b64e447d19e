"use server";

import { revalidatePath } from "next/cache";
import { addAppImage, appImageDetails, removeAppImage, setOnlyListedImages } from "@/lib/apps/images/operations";
import { setRegistryServesApp } from "@/lib/apps/registry-scope";
import { AppError } from "@/lib/errors";
import { invoke, type Operation } from "@/lib/server/operation";
import { runFormAction } from "@/lib/server/form-action";
import { currentTeamContext } from "@/lib/server/request";
import { toAppError } from "@/lib/server/to-app-error";
import type { ActionState } from "@/lib/server/action-state";
import type { z } from "zod";

const pageOf = (appId: string) => `/apps/${appId}`;

/** Runs an operation with a typed input (not a form's strings), as a server action: the session is resolved again. */
async function run<S extends z.ZodType, R>(op: Operation<S, R>, input: unknown, revalidate?: string): Promise<ActionState<R>> {
  try {
    const ctx = await currentTeamContext();
    if (!ctx) throw new AppError("unauthenticated", "Your session has ended. Sign in again.");
    const data = await invoke(op, ctx, input);
    if (revalidate) revalidatePath(revalidate);
    return { status: "ok", data };
  } catch (e) {
    const err = toAppError(e);
    return { status: "error", message: err.message, fields: err.fields };
  }
}

export async function addAppImageAction(_prev: ActionState, formData: FormData) {
  const id = String(formData.get("id") ?? "");
  return runFormAction(addAppImage, formData, { revalidate: pageOf(id), message: (i) => `Added ${i.image}.` });
}

/** One click on a suggestion: the suggested reference, as typed. */
export async function addSuggestedImageAction(appId: string, reference: string) {
  return run(addAppImage, { id: appId, reference }, pageOf(appId));
}

export async function removeAppImageAction(appId: string, imageId: string) {
  return run(removeAppImage, { id: appId, imageId }, pageOf(appId));
}

export async function setOnlyListedImagesAction(appId: string, onlyListedImages: boolean) {
  return run(setOnlyListedImages, { id: appId, onlyListedImages }, pageOf(appId));
}

/** What the image is now, read live from its registry. */
export async function appImageDetailsAction(appId: string, imageId: string) {
  return run(appImageDetails, { id: appId, imageId });
}

/** Lets the app use a registry, or stops it (admins). */
export async function setRegistryServesAppAction(appId: string, registryId: string, serves: boolean) {
  return run(setRegistryServesApp, { id: registryId, appId, serves }, pageOf(appId));
}
