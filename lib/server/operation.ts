import type { z } from "zod";
import type { TeamContext } from "@/lib/auth/context";
import { can, type Permission } from "@/lib/auth/permissions";
import { AppError, forbidden } from "@/lib/errors";
import { parseInput } from "@/lib/validations/parse";

/**
 * A team-scoped operation: its input schema, the permission it needs, and what it does.
 * Server actions and REST routes call `invoke`, the one place where input is validated and
 * the caller's role is checked. The operation itself scopes every query by `ctx.teamId`, and
 * answers not_found (never forbidden) for another team's records, so it leaks nothing.
 * Operations that change data are defined with `defineTeamChange` (./team-change.ts). Each is
 * written with its name, permission and input on one line: the operation's signature.
 */
export interface Operation<S extends z.ZodType, R> {
  name: string;
  permission: Permission;
  input: S;
  run(ctx: TeamContext, input: z.output<S>): Promise<R>;
}

/** Any operation, for lists of them (the isolation test, the REST router). */
export type AnyOperation = Operation<any, any>;

export function defineOperation<S extends z.ZodType, R>(op: Operation<S, R>): Operation<S, R> {
  return op;
}

export async function invoke<S extends z.ZodType, R>(op: Operation<S, R>, ctx: TeamContext, raw: unknown): Promise<R> {
  if (!can(ctx.role, op.permission)) {
    throw forbidden(
      op.permission === "admin"
        ? "Only team admins can do that."
        : "Your role is read-only: ask an admin for developer access to make changes.",
    );
  }
  return op.run(ctx, parseInput(op.input, raw));
}

export { AppError };
