import { handleRegistryToken } from "@/lib/registry-auth/http";

/** The hosted registry's Docker token service (lib/registry-auth): Distribution's `auth.token.realm`. GET: Basic; POST: the OAuth2 password grant. */
export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handleRegistryToken(req);
}
export function POST(req: Request) {
  return handleRegistryToken(req);
}
