import { z } from "zod";

/**
 * How a session signed in, stored on its row (`Session.signInMethod`) and shown on the sessions
 * page. Enforced single sign-on ends only `password` sessions of members (and those of unknown
 * method, which predate the column): a session started through SSO, GitHub or Google stays.
 */
export const signInMethods = ["password", "sso", "github", "google"] as const;
export type SignInMethod = (typeof signInMethods)[number];
export const signInMethodSchema = z.enum(signInMethods);

const LABELS: Record<SignInMethod, string> = { password: "password", sso: "single sign-on", github: "GitHub", google: "Google" };

/** "password", "single sign-on", "GitHub", "Google"; null (or a value this version doesn't know) for an unknown method. */
export function signInMethodLabel(method: string | null): string | null {
  const parsed = signInMethodSchema.safeParse(method);
  return parsed.success ? LABELS[parsed.data] : null;
}

/** The method of a next-auth provider id (the external providers' ids are their names); undefined for any other. */
export function signInMethodOfProvider(provider: string): SignInMethod | undefined {
  const parsed = signInMethodSchema.safeParse(provider);
  return parsed.success && parsed.data !== "password" && parsed.data !== "sso" ? parsed.data : undefined;
}

/** Sessions that enforced single sign-on ends: password sign-ins, and those from before the method was recorded. */
export const passwordSessionsWhere = { OR: [{ signInMethod: "password" }, { signInMethod: null }] };
