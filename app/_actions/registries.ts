"use server";

import { revalidatePath } from "next/cache";
import type { z } from "zod";
import { invoke, type Operation } from "@/lib/server/operation";
import { currentTeamContext } from "@/lib/server/request";
import { echoValues, formObject, type ActionState } from "@/lib/server/action-state";
import { AppError, toAppError } from "@/lib/errors";
import { ConnectionTestFailedError, type RegistryTestResult } from "@/lib/registries/connection";
import {
  createRegistry,
  deleteRegistry,
  rotateRegistryCredentials,
  testDraftRegistry,
  testRegistry,
  updateRegistry,
  type RegistryDto,
} from "@/lib/registries/operations";

/** An action's answer; a failed connection test that stopped a save carries the test, to show every step. */
export type RegistryActionState<R> = ActionState<R> & { test?: RegistryTestResult };

/**
 * Like runFormAction, plus the connection test of a refused save. Each call resolves the session,
 * team and role again: server actions are public endpoints.
 */
async function run<S extends z.ZodType, R>(op: Operation<S, R>, formData: FormData, message?: (r: R) => string): Promise<RegistryActionState<R>> {
  try {
    const ctx = await currentTeamContext();
    if (!ctx) throw new AppError("unauthenticated", "Your session has ended. Sign in again.");
    const result = await invoke(op, ctx, formObject(formData));
    revalidatePath("/images");
    return { status: "ok", data: result, message: message?.(result) };
  } catch (e) {
    const err = toAppError(e);
    return {
      status: "error",
      message: err.message,
      fields: err.fields,
      values: echoValues(formData),
      ...(e instanceof ConnectionTestFailedError && { test: e.test }),
    };
  }
}

export async function createRegistryAction(formData: FormData): Promise<RegistryActionState<RegistryDto>> {
  return run(createRegistry, formData, (r) => `Added ${r.host}.`);
}

export async function testDraftRegistryAction(formData: FormData): Promise<RegistryActionState<RegistryTestResult>> {
  return run(testDraftRegistry, formData);
}

export async function testRegistryAction(formData: FormData): Promise<RegistryActionState<RegistryTestResult>> {
  return run(testRegistry, formData);
}

export async function rotateRegistryAction(formData: FormData): Promise<RegistryActionState<RegistryDto>> {
  return run(rotateRegistryCredentials, formData, (r) =>
    r.lastTest?.ok ? `New credentials for ${r.host} are in use.` : `New credentials for ${r.host} are in use, although their test failed.`,
  );
}

export async function updateRegistryAction(formData: FormData): Promise<RegistryActionState<RegistryDto>> {
  return run(updateRegistry, formData, (r) =>
    [r.name ? `${r.host} is named ${r.name}.` : `${r.host} has no name.`, r.allowedRealmHosts.length ? `Credentials may also go to ${r.allowedRealmHosts.join(", ")}.` : ""].filter(Boolean).join(" "),
  );
}

export async function deleteRegistryAction(formData: FormData): Promise<RegistryActionState<{ id: string }>> {
  return run(deleteRegistry, formData, () => "Registry deleted.");
}
