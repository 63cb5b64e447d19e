import type { TeamContext } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import { authenticateBearer } from "@/lib/tokens/authenticate";
import { clientIpFromHeaders } from "@/lib/http/client-ip";
import type { AuthStrategy } from "@/lib/http/route";

function bearerToken(req: Request): string {
  const header = req.headers.get("authorization");
  if (!header) throw new AppError("unauthenticated", "Send an API token: Authorization: Bearer <token>. Create one on the portal's Tokens page.");
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new AppError("unauthenticated", "The Authorization header must be `Bearer <token>`.");
  return m[1]!;
}

/** The REST API's: an API token (`Authorization: Bearer pc?_…`) → the team context it acts in. */
export const apiToken: AuthStrategy<TeamContext> = {
  challenge: 'Bearer realm="portcullis", error="invalid_token"',
  async authenticate(req, deps) {
    const db = await deps.db();
    const ctx = await authenticateBearer(db, bearerToken(req), { ip: clientIpFromHeaders(req.headers) });
    if (!ctx) throw new AppError("unauthenticated", "The API token is invalid, expired or revoked.");
    return ctx;
  },
};
