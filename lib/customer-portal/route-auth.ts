import { textResponse } from "@/lib/http/responses";
import type { AuthStrategy } from "@/lib/http/route";
import { CUSTOMER_SESSION_COOKIE, findCustomerSession, type CustomerContext } from "./sessions";

/** The cookie's value in a Cookie header. */
function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** A customer portal download: the customer session's cookie → its context; a plain-text 401 without a live one. */
export const customerSession: AuthStrategy<CustomerContext> = {
  async authenticate(req, deps) {
    const ctx = await findCustomerSession(await deps.db(), cookieValue(req.headers.get("cookie"), CUSTOMER_SESSION_COOKIE));
    return ctx ?? textResponse(401, "Sign in to the customer portal first.");
  },
};
