"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { CUSTOMER_SESSION_COOKIE, deleteCustomerSession } from "@/lib/customer-portal/sessions";
import { openPortalLink } from "@/lib/customer-portal/links";
import { signInWithLicenseId } from "@/lib/customer-portal/sign-in";
import { formObject, type ActionState } from "@/lib/server/action-state";
import { formErrorState } from "@/lib/server/form-action";
import { clientIp, cookieIsSecure } from "@/lib/server/request";

async function setCustomerCookie(session: { token: string; expiresAt: Date }) {
  (await cookies()).set(CUSTOMER_SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: "lax",
    secure: await cookieIsSecure(),
    path: "/portal",
    expires: session.expiresAt,
  });
}

/** The customer portal's sign-in with a license ID. */
export async function licenseSignInAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  try {
    await setCustomerCookie(await signInWithLicenseId(await getDb(), formObject(formData), await clientIp()));
  } catch (e) {
    // The typed license ID is a credential: it is not echoed back into the form.
    return { ...formErrorState(e, formData), values: {} };
  }
  redirect("/portal");
}

/** Opens a portal link (a POST, so link scanners that fetch it don't use it up). */
export async function openPortalLinkAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  try {
    await setCustomerCookie(await openPortalLink(await getDb(), String(formData.get("token") ?? ""), await clientIp()));
  } catch (e) {
    return formErrorState(e, formData);
  }
  redirect("/portal");
}

export async function customerSignOutAction(): Promise<void> {
  const jar = await cookies();
  await deleteCustomerSession(await getDb(), jar.get(CUSTOMER_SESSION_COOKIE)?.value);
  jar.delete({ name: CUSTOMER_SESSION_COOKIE, path: "/portal" });
  redirect("/portal/sign-in?signedOut=1");
}
