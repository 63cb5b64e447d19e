import { publicAccess } from "@/lib/http/auth/public";
import { defineRoute } from "@/lib/http/route";
import { handleRegistryToken } from "@/lib/registry-auth/http";

/**
 * The hosted registry's Docker token service (lib/registry-auth): Distribution's `auth.token.realm`.
 * GET: Basic (or anonymous); POST: the OAuth2 password grant. The token service checks the
 * credentials itself and answers its own OCI errors.
 */
export const dynamic = "force-dynamic";

const tokenService = defineRoute({ auth: publicAccess, errors: "oci", handler: ({ req, deps }) => handleRegistryToken(req, { db: deps.db }) });

export const GET = tokenService;
export const POST = tokenService;
