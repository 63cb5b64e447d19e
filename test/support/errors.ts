import type { AppError } from "@/lib/errors";

/** The error a promise rejects with; fails the test when it resolves instead. */
export async function errorOf(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    return e as AppError;
  }
  throw new Error("expected an error");
}
