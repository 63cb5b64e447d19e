import type { Provider } from "next-auth/providers/index";
import { env } from "@/lib/config/env";
import { credentialsProvider } from "./credentials";
import { oauthProviders } from "./oauth";
import type { AuthRequestInfo } from "./request-info";

/**
 * Every way to sign in, in one list. A provider added here signs people in through the same
 * callbacks (./callbacks.ts): a `Session` row and a JWT carrying its id (./session-claims.ts).
 */
export function authProviders(request: AuthRequestInfo): Provider[] {
  return [credentialsProvider(request), ...oauthProviders(env())];
}
