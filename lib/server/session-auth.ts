import "server-only";
import type { TeamContext } from "@/lib/auth/context";
import { textResponse } from "@/lib/http/responses";
import type { AuthStrategy } from "@/lib/http/route";
import { currentTeamContext } from "./request";

/** A signed-in person's session (cookie) → their team context; a route for browsers answers a plain-text 401 without one. */
export function signedIn(refusal: string): AuthStrategy<TeamContext> {
  return {
    async authenticate() {
      return (await currentTeamContext()) ?? textResponse(401, refusal);
    },
  };
}
