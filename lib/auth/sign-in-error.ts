/**
 * How a refused sign-in travels from next-auth's Credentials provider to the sign-in form: next-auth
 * puts the message of the error `authorize` throws into the `error` query parameter of its answer,
 * so the provider throws this JSON and the form reads it back. Its message is always one that is
 * safe to show (an AppError's); anything else reads as a generic failure.
 */
export interface SignInError {
  code: string;
  message: string;
  fields?: Record<string, string>;
}

/** The code the form answers by asking for the second factor. */
export const TWO_FACTOR_REQUIRED = "two_factor_required";

export function encodeSignInError(error: SignInError): string {
  return JSON.stringify(error);
}

const GENERIC = "Signing in failed. Try again.";

/** next-auth's `error` value as a SignInError: ours, or one of next-auth's own codes in plain words. */
export function decodeSignInError(value: string): SignInError {
  try {
    const parsed = JSON.parse(value) as Partial<SignInError>;
    if (typeof parsed.code === "string" && typeof parsed.message === "string") return { code: parsed.code, message: parsed.message, fields: parsed.fields };
  } catch {
    // one of next-auth's codes
  }
  return { code: value, message: nextAuthMessages[value] ?? GENERIC };
}

/** next-auth's error codes a person can meet (on /sign-in?error=…), in plain words. */
export const nextAuthMessages: Record<string, string> = {
  AccessDenied: "That account can't sign in here: its provider didn't confirm a verified email address.",
  OAuthSignin: "Signing in with that provider could not start. Try again.",
  OAuthCallback: "The provider's answer could not be used. Try again.",
  OAuthAccountNotLinked: "Sign in the way you did before.",
  Callback: "Signing in failed. Try again.",
  CredentialsSignin: "Email or password is incorrect.",
  SessionRequired: "Sign in to continue.",
  Configuration: "Sign-in is not configured correctly on this server. Ask its operator.",
  Default: GENERIC,
  SsoExpired: "The single sign-on took too long or was started in another browser. Start it again.",
  SsoNotConfigured: "Single sign-on for your team is not available right now. Ask your team's admin.",
  SsoEmailUnverified: "Your identity provider did not confirm your email address (email_verified is not true). Ask your IT team to verify it.",
  SsoOutsideDomain: "Your identity provider signed you in with an email outside your team's verified domains. Use your work account.",
};
