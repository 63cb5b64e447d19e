"use server";

import type { z } from "zod";
import type { Operation } from "@/lib/server/operation";
import { runFormAction } from "@/lib/server/form-action";
import type { ActionState } from "@/lib/server/action-state";
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

/** A refused save's connection test, to show every step. */
const testOf = (e: unknown) => (e instanceof ConnectionTestFailedError ? { test: e.test } : undefined);

/** runFormAction on the Images page, with the connection test of a refused save. */
function run<S extends z.ZodType, R>(op: Operation<S, R>, formData: FormData, message?: (r: R) => string): Promise<RegistryActionState<R>> {
  return runFormAction(op, formData, { revalidate: "/images", message, errorDetails: testOf });
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
