import { z } from "zod";
import { AppError, fromZodError } from "@/lib/errors";
import { logger } from "@/lib/log/log";

// Server-side only: lib/errors.ts is imported by client components too (AppError, the codes), so
// what needs the logger — and through it the configuration — lives here.

/** PostgreSQL's SQLSTATE of an error, from pg directly or from inside Prisma's driver-adapter error. */
function postgresCode(e: unknown): string | undefined {
  if (typeof e !== "object" || e === null) return undefined;
  const cause = (e as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; code?: unknown } } } }).meta?.driverAdapterError?.cause;
  const code = cause?.originalCode ?? cause?.code ?? (e as { code?: unknown }).code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** Normalises anything thrown into an AppError, hiding the message of unexpected errors. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof z.ZodError) return fromZodError(e);
  // 22021: text the database can't store (a NUL character). Input is checked before it gets
  // here (lib/validations/parse.ts); this catches any path that skipped the check.
  if (postgresCode(e) === "22021") {
    return new AppError("validation_failed", "Text can't contain NUL characters (\\u0000).", { fields: { _: "Remove the NUL character (\\u0000)." } });
  }
  logger().error("unexpected error", { error: e });
  return new AppError("internal", "Something went wrong on our side. Please try again.");
}
