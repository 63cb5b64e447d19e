import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { CUSTOMER_SESSION_COOKIE, findCustomerSession, type CustomerContext } from "./sessions";

/** The customer session of this request (its cookie), or null. */
export async function currentCustomer(): Promise<CustomerContext | null> {
  return findCustomerSession(await getDb(), (await cookies()).get(CUSTOMER_SESSION_COOKIE)?.value);
}

/** For customer portal pages: the session, or a redirect to the portal's sign-in. */
export async function requireCustomer(): Promise<CustomerContext> {
  const ctx = await currentCustomer();
  if (!ctx) redirect("/portal/sign-in");
  return ctx;
}
