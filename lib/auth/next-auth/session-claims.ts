import type { JWT } from "next-auth/jwt";
import type { Db } from "@/lib/db/client";
import { startServerSession } from "@/lib/auth/sessions";
import type { SignInMethod } from "@/lib/auth/sign-in-method";
import type { AuthRequestInfo } from "./request-info";

/**
 * Every sign-in, whatever the provider, ends here: a new `Session` row for the person (with how it
 * signed in), and a JWT
 * that carries only that row's id (`sid`). Each request resolves the row (lib/auth/current-session.ts),
 * so deleting it signs the browser out on its next request.
 */
export async function signedInSessionClaims(
  db: Db,
  who: { userId: string; activeTeamId?: string | null; signInMethod: SignInMethod | null },
  request: Pick<AuthRequestInfo, "ip" | "userAgent">,
): Promise<JWT> {
  const session = await startServerSession(db, { userId: who.userId, activeTeamId: who.activeTeamId, signInMethod: who.signInMethod, ip: request.ip, userAgent: request.userAgent });
  return { sid: session.id };
}
