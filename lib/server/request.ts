import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db/client";
import { SESSION_COOKIE, findSession } from "@/lib/auth/sessions";
import { resolveTeamContext, type TeamContext } from "@/lib/auth/context";
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

/** The signed-in session and user, or null. */
export async function currentSession() {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  return findSession(await getDb(), token);
}

/** The team context of the signed-in user, or null (not signed in, or in no team). */
export async function currentTeamContext(): Promise<TeamContext | null> {
  const session = await currentSession();
  if (!session) return null;
  return resolveTeamContext(await getDb(), {
    userId: session.user.id,
    email: session.user.email,
    teamId: session.activeTeamId,
    ip: await clientIp(),
    sessionId: session.id,
  });
}

/** For pages: the team context, or a redirect to sign in. */
export async function requireTeamContext(): Promise<TeamContext> {
  const ctx = await currentTeamContext();
  if (!ctx) redirect("/sign-in");
  return ctx;
}

/** The portal's public base URL: PORTAL_URL, else what this request was addressed to. */
export async function portalBaseUrl(): Promise<string> {
  const configured = env().PORTAL_URL;
  if (configured) return configured.replace(/\/+$/, "");
  const h = await headers();
  const proto = h.get("x-forwarded-proto") ?? "http";
  return `${proto}://${h.get("host") ?? "localhost:3000"}`;
}
