"use server";

import { archiveCustomer, createCustomer } from "@/lib/customers/operations";
import { createLicense, getLicense, revokeLicense } from "@/lib/licenses/operations";
import { runFormAction } from "@/lib/server/form-action";
import type { ActionState } from "@/lib/server/action-state";

export async function createCustomerAction(_prev: ActionState, formData: FormData) {
  return runFormAction(createCustomer, formData, { revalidate: "/customers", message: (c) => `Created ${c.name}.` });
}

export async function archiveCustomerAction(_prev: ActionState, formData: FormData) {
  return runFormAction(archiveCustomer, formData, { revalidate: "/customers", message: (c) => `Archived ${c.name}.` });
}

/** Returns the new license's ID in clear, once, for the form to show and copy. */
export async function createLicenseAction(_prev: ActionState, formData: FormData) {
  return runFormAction(createLicense, formData, { revalidate: "/customers" });
}

export async function revealLicenseAction(_prev: ActionState, formData: FormData) {
  return runFormAction(getLicense, formData);
}

export async function revokeLicenseAction(_prev: ActionState, formData: FormData) {
  return runFormAction(revokeLicense, formData, { revalidate: "/customers", message: () => "License revoked: pulls with it are refused from now on." });
}
