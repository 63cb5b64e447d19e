import type { AuthStrategy } from "@/lib/http/route";

/** No authentication at the boundary: the route is public, or checks credentials of its own (the token service's Basic or anonymous). */
export const publicAccess: AuthStrategy<null> = {
  authenticate: () => Promise.resolve(null),
};
