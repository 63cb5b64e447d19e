import { isServiceAuthorized, proxyServiceToken } from "@/lib/internal/service-token";
import { jsonResponse } from "@/lib/http/responses";
import type { AuthStrategy } from "@/lib/http/route";

/**
 * The internal API's: `Authorization: Bearer <PROXY_SERVICE_TOKEN>`, compared in constant time.
 * Without a configured token the API is off (503) rather than open.
 */
export function serviceToken(): AuthStrategy<null> {
  return {
    authenticate(req, deps) {
      const token = proxyServiceToken(deps.env());
      if (!token) {
        return Promise.resolve(jsonResponse(503, { error: { code: "internal", message: "PROXY_SERVICE_TOKEN is not configured: the internal API is disabled." } }));
      }
      if (!isServiceAuthorized(req.headers.get("authorization"), token)) {
        return Promise.resolve(jsonResponse(401, { error: { code: "unauthenticated", message: "A valid PROXY_SERVICE_TOKEN is required." } }));
      }
      return Promise.resolve(null);
    },
  };
}
