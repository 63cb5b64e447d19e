import "server-only";
import { cache } from "react";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { sessionFromCookies, teamAccessOfSession, teamContextOfSession } from "@/lib/auth/current-session";
import type { TeamContext } from "@/lib/auth/context";
import { clientIpFromHeaders } from "@/lib/http/client-ip";
import { servedOverHttps } from "@/lib/http/security-headers";
import { env } from "@/lib/config/env";

/** The client address of this request (lib/http/client-ip.ts says which and when it can be trusted). */
export async function clientIp(): Promise<string | null> {
  return clientIpFromHeaders(await headers());
}

/** Cookies are Secure whenever the portal is reached over HTTPS. */
export async function cookieIsSecure(): Promise<boolean> {
  return servedOverHttps(await headers(), env().PORTAL_URL);
}

/** The signed-in session and user, or null (lib/auth/current-session.ts). */
export async function currentSession() {
  return sessionFromCookies(await getDb(), await cookies());
}

/** The team context of the signed-in user, or null (not signed in, or in no team). */
export async function currentTeamContext(): Promise<TeamContext | null> {
  const session = await currentSession();
  if (!session) return null;
  return teamContextOfSession(await getDb(), session, await clientIp());
}

/**
 * For pages: the team context, or a redirect — to sign in; signed in but in no team yet, to create
 * one; in a team that requires two-factor authentication without it, to set it up. Read once per
 * request: the layout and the page share the answer (React `cache`; outside a render, as in a
 * server action, every call reads afresh).
 */
export const requireTeamContext = cache(async (): Promise<TeamContext> => {
  const session = await currentSession();
  if (!session) redirect("/sign-in");
  const access = await teamAccessOfSession(await getDb(), session, await clientIp());
  if ("blocked" in access) redirect(access.blocked === "no_team" ? "/welcome" : "/two-factor/setup");
  return access.ctx;
});

/** The portal's public base URL: PORTAL_URL, else what this request was addressed to. */
export async function portalBaseUrl(): Promise<string> {
  const configured = env().PORTAL_URL;
  if (configured) return configured.replace(/\/+$/, "");
  const h = await headers();
  const proto = h.get("x-forwarded-proto") ?? "http";
  return `${proto}://${h.get("host") ?? "localhost:3000"}`;
}
