import type { z } from "zod";
import type { TeamContext } from "@/lib/auth/context";
import type { Permission } from "@/lib/auth/permissions";
import type { Tx } from "@/lib/db/client";
import { recordTeamAudit, type AuditEventInput } from "@/lib/audit/record";
import { isUniqueViolation, type AppError } from "@/lib/errors";
import { defineOperation, type Operation } from "./operation";

/** What a change answers, and the audit event it made (none when it changed nothing). */
export interface TeamChangeOutcome<R> {
  result: R;
  audit?: AuditEventInput;
}

export interface TeamChange<S extends z.ZodType, P, R> {
  name: string;
  permission: Permission;
  input: S;
  /**
   * Checks and slow work that must not hold the transaction open (a KMS call, a connection
   * test, the hosted registry), before it starts. What it returns is handed to `change`.
   */
  prepare?(ctx: TeamContext, input: z.output<S>): P | Promise<P>;
  /** The reads and writes, in one transaction; every query is scoped by `ctx.teamId`. */
  change(tx: Tx, ctx: TeamContext, input: z.output<S>, prepared: P): Promise<TeamChangeOutcome<R>>;
  /** The conflict a unique violation of the change stands for (another request took the name first). */
  conflict?(ctx: TeamContext, input: z.output<S>, prepared: P): AppError | Promise<AppError>;
}

/**
 * A team-scoped operation that changes data: `prepare`, then `change` in one transaction with
 * its audit event written by the caller in the same transaction, so the change and its event
 * commit together or not at all. The permission is checked by `invoke` like any operation's.
 */
export function defineTeamChange<S extends z.ZodType, P = undefined, R = unknown>(def: TeamChange<S, P, R>): Operation<S, R> {
  return defineOperation({
    name: def.name,
    permission: def.permission,
    input: def.input,
    async run(ctx, input) {
      const prepared = (await def.prepare?.(ctx, input)) as P;
      try {
        return await ctx.db.$transaction(async (tx) => {
          const { result, audit } = await def.change(tx, ctx, input, prepared);
          if (audit) await recordTeamAudit(tx, ctx, audit);
          return result;
        });
      } catch (e) {
        if (def.conflict && isUniqueViolation(e)) throw await def.conflict(ctx, input, prepared);
        throw e;
      }
    },
  });
}
