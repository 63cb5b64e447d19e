import { openApiDocument } from "@/lib/api/openapi";
import { env } from "@/lib/config/env";

/** The OpenAPI 3.1 document of /api/v1, generated from the routes' zod schemas. Public: it holds no data. */
export function GET() {
  return Response.json(openApiDocument({ serverUrl: env().PORTAL_URL?.replace(/\/+$/, "") }), {
    headers: { "cache-control": "public, max-age=300", "access-control-allow-origin": "*" },
  });
}
