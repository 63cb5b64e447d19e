/** The kinds of API token, with their labels: plain data, safe to import in client components (no zod). */
export const tokenKinds = ["user", "service_account", "team"] as const;
export type TokenKindName = (typeof tokenKinds)[number];

export const tokenKindLabels: Record<TokenKindName, string> = {
  user: "Personal token",
  service_account: "Service account",
  team: "Team token",
};
