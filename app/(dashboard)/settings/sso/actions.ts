"use server";

import type { z } from "zod";
import type { Operation } from "@/lib/server/operation";
import { runFormAction } from "@/lib/server/form-action";
import type { ActionState } from "@/lib/server/action-state";
import { saveSso, testSso } from "@/lib/sso/operations";
import { addSsoDomain, removeSsoDomain, verifySsoDomain } from "@/lib/sso/domains";
import { SsoTestFailedError } from "@/lib/sso/test-connection";
import type { SsoDomainDto, SsoDto, SsoTestResult } from "@/lib/sso/dto";

/** An action's answer; a save the connection test refused carries the test, to show every step. */
export type SsoActionState<R> = ActionState<R> & { test?: SsoTestResult };

const testOf = (e: unknown) => (e instanceof SsoTestFailedError ? { test: e.test } : undefined);

function run<S extends z.ZodType, R>(op: Operation<S, R>, formData: FormData, message?: (r: R) => string): Promise<SsoActionState<R>> {
  return runFormAction(op, formData, { revalidate: "/settings/sso", message, errorDetails: testOf });
}

export async function testSsoAction(formData: FormData): Promise<SsoActionState<SsoTestResult>> {
  return run(testSso, formData);
}

export async function saveSsoAction(formData: FormData): Promise<SsoActionState<SsoDto>> {
  return run(saveSso, formData, (r) => (r.settings?.enforce ? "Saved. Members of the team now sign in with SSO." : "Saved. Members can sign in with SSO."));
}

export async function addDomainAction(formData: FormData): Promise<SsoActionState<SsoDomainDto>> {
  return run(addSsoDomain, formData, (d) => `Publish the TXT record for ${d.domain}, then verify it.`);
}

export async function verifyDomainAction(formData: FormData): Promise<SsoActionState<SsoDomainDto>> {
  return run(verifySsoDomain, formData, (d) => `${d.domain} is verified.`);
}

export async function removeDomainAction(formData: FormData): Promise<SsoActionState<{ id: string }>> {
  return run(removeSsoDomain, formData, () => "Domain removed.");
}
