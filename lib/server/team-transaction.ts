import type { TeamContext } from "@/lib/auth/context";
import type { Tx } from "@/lib/db/client";
import { notFound } from "@/lib/errors";

/**
 * Runs a change of the caller's team in one transaction: its reads, writes and audit events
 * commit together or not at all.
 */
export function inTeamTransaction<R>(ctx: TeamContext, fn: (tx: Tx) => Promise<R>): Promise<R> {
  return ctx.db.$transaction(fn);
}

/**
 * The row a lookup found, or not_found with `message`. The lookup scopes itself to the caller's
 * team (`where: { id, teamId: ctx.teamId }`), so another team's record reads as missing.
 */
export async function findOr404<T>(lookup: PromiseLike<T | null>, message: string): Promise<T> {
  const row = await lookup;
  if (!row) throw notFound(message);
  return row;
}
