import { handleAuthRequest } from "@/lib/auth/next-auth/handler";

/** next-auth: CSRF token, providers, sign-in callbacks, sign-out, session (lib/auth/next-auth). */
async function handler(req: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  return handleAuthRequest(req, (await context.params).nextauth);
}

export { handler as GET, handler as POST };
