/** A mistake by the user (bad value, missing record): exit 1 with a one-line message. */
export class UserError extends Error {
  override name = "UserError";
}

/** Wrong flags or arguments: exit 2 with the command's usage. */
export class UsageError extends Error {
  override name = "UsageError";
}
