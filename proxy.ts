import { NextResponse, type NextRequest } from "next/server";
import { newNonce, securityHeaders, servedOverHttps } from "@/lib/http/security-headers";

/**
 * Next's request proxy: every page gets a fresh CSP nonce and the security headers. Next reads the
 * nonce from the request's Content-Security-Policy header and puts it on its scripts; that needs
 * dynamic rendering, which the root layout asks for.
 */
export function proxy(request: NextRequest) {
  const nonce = newNonce();
  const headers = securityHeaders(nonce, {
    https: servedOverHttps(request.headers, process.env.PORTAL_URL),
    dev: process.env.NODE_ENV === "development",
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [
    {
      // Not static assets, nor the registry proxy's internal API (no browser, and its hot path);
      // prefetches carry no page of their own.
      source: "/((?!_next/static|_next/image|favicon.ico|api/internal/).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
