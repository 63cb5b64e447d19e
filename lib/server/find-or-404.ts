import { notFound } from "@/lib/errors";

/**
 * The row a lookup found, or not_found with `message`. The lookup scopes itself to the caller's
 * team (`where: { id, teamId: ctx.teamId }`), so another team's record reads as missing.
 */
export async function findOr404<T>(lookup: PromiseLike<T | null>, message: string): Promise<T> {
  const row = await lookup;
  if (!row) throw notFound(message);
  return row;
}
