"use server";

import { cookies } from "next/headers";
import { getDb } from "@/lib/db/client";
import { cookieIsSecure } from "@/lib/server/request";
import { toAppError } from "@/lib/server/to-app-error";
import { SSO_FLOW_COOKIE, SSO_FLOW_SECONDS, signSsoFlow } from "@/lib/sso/flow-cookie";
import { ssoTeamForEmail } from "@/lib/sso/start";

export interface SsoStartState {
  status: "idle" | "ok" | "error";
  message?: string;
  email?: string;
}

/** "Sign in with SSO": finds the team by the email's verified domain and starts its flow (the signed flow cookie). */
export async function startSsoAction(formData: FormData): Promise<SsoStartState> {
  const raw = String(formData.get("email") ?? "");
  try {
    const { teamId, email } = await ssoTeamForEmail(await getDb(), raw);
    (await cookies()).set(SSO_FLOW_COOKIE, signSsoFlow(teamId, email), {
      path: "/api/auth",
      maxAge: SSO_FLOW_SECONDS,
      httpOnly: true,
      sameSite: "lax",
      secure: await cookieIsSecure(),
    });
    return { status: "ok", email };
  } catch (e) {
    const err = toAppError(e);
    return { status: "error", message: err.fields?.email ?? err.message, email: raw };
  }
}
