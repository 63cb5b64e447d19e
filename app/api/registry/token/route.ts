import { handleRegistryToken } from "@/lib/registry-auth/http";

/** The hosted registry's Docker token service (lib/registry-auth): Distribution's `auth.token.realm`. */
export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handleRegistryToken(req);
}
