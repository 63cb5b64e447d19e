import type { z } from "zod";

/** The closed set of error codes, each with its HTTP status. */
export const errorStatus = {
  validation_failed: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
  /** A service the change depends on (e.g. the hosted registry) can't be reached: nothing was changed, try again. */
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

/** Every error code, in the table's order: the REST error schema's enum (lib/api/schemas.ts). */
export const errorCodes = Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]];

/**
 * The one error type of the domain code. `message` is safe to show a user; `fields` carries
 * per-field messages for forms and 422 responses. Anything that is not an AppError is reported
 * as `internal` and its message is never shown.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields?: Record<string, string>;
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, message: string, opts: { fields?: Record<string, string>; retryAfterSeconds?: number } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.fields = opts.fields;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }

  get status(): number {
    return errorStatus[this.code];
  }
}

export const notFound = (what = "Not found") => new AppError("not_found", what);
export const forbidden = (what = "You do not have permission to do that.") => new AppError("forbidden", what);

/** A zod error as a 422 with the first message of each field. */
export function fromZodError(error: z.ZodError): AppError {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_";
    fields[key] ??= issue.message;
  }
  return new AppError("validation_failed", "Some fields need attention.", { fields });
}

/** Prisma's unique-constraint violation (checked by code only: `meta` differs per adapter). */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "P2002";
}
