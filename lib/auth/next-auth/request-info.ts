import { env } from "@/lib/config/env";
import { clientIpFromHeaders } from "@/lib/http/client-ip";
import { servedOverHttps } from "@/lib/http/security-headers";

/** What next-auth's callbacks need to know about the request they run for. */
export interface AuthRequestInfo {
  /** The portal's origin as the browser sees it: PORTAL_URL's, else the request's own host. */
  origin: string;
  https: boolean;
  ip: string | null;
  userAgent: string | null;
}

export function authRequestInfo(headers: Headers, portalUrl = env().PORTAL_URL): AuthRequestInfo {
  const https = servedOverHttps(headers, portalUrl);
  const origin = portalUrl ? new URL(portalUrl).origin : `${https ? "https" : "http"}://${headers.get("host") ?? "localhost:3000"}`;
  return { origin, https, ip: clientIpFromHeaders(headers), userAgent: headers.get("user-agent") };
}
