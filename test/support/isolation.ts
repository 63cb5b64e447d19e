import { expect } from "vitest";
import type { TeamContext } from "@/lib/auth/context";
import { AppError } from "@/lib/errors";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { invoke, type AnyOperation } from "@/lib/server/operation";

type TeamTable = "app" | "membership" | "invite" | "customer" | "license" | "apiToken" | "registry" | "encryptedSecret" | "appImage";

/** A team's rows of `tables`, ordered by id (`where` narrows a table): any change by another team or a lower role shows in them. */
export function teamRows(db: PrismaClient, teamId: string, tables: TeamTable[], where: Partial<Record<TeamTable, object>> = {}): Promise<unknown[][]> {
  return Promise.all(
    tables.map((table) => (db[table] as unknown as { findMany(args: object): Promise<unknown[]> }).findMany({ where: { teamId, ...where[table] }, orderBy: { id: "asc" } })),
  );
}

async function outcome<R>(p: Promise<R>): Promise<{ ok: true; value: R } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Proves an operation leaks nothing across teams and respects roles:
 * - a member of another team, acting on team A's record, gets not_found (or, for a list, a
 *   result that mentions none of team A's record ids) — and nothing in team A changes;
 * - a read-only member of team A gets forbidden for any operation that needs more than `read`,
 *   and a developer of team A (when given) for any operation that needs `admin`.
 * `input` must reference a record of team A; `ownerIds` are team A's ids that must not leak.
 */
export async function expectTenantIsolation(
  op: AnyOperation,
  opts: { outsider: TeamContext; readOnly: TeamContext; developer?: TeamContext; input: unknown; ownerIds: string[]; snapshot: () => Promise<unknown> },
) {
  const before = JSON.stringify(await opts.snapshot());

  const asOutsider = await outcome(invoke(op, opts.outsider, opts.input));
  if (asOutsider.ok) {
    const text = JSON.stringify(asOutsider.value);
    for (const id of opts.ownerIds) expect(text, `${op.name} leaked ${id} to another team`).not.toContain(id);
  } else {
    expect(asOutsider.error, `${op.name} as another team's member`).toBeInstanceOf(AppError);
    expect((asOutsider.error as AppError).code, `${op.name} as another team's member`).toBe("not_found");
  }
  expect(JSON.stringify(await opts.snapshot()), `${op.name} by another team changed team A's data`).toBe(before);

  if (op.permission !== "read") {
    const asReadOnly = await outcome(invoke(op, opts.readOnly, opts.input));
    expect(asReadOnly.ok, `${op.name} succeeded for a read-only member`).toBe(false);
    if (!asReadOnly.ok) expect((asReadOnly.error as AppError).code).toBe("forbidden");
    expect(JSON.stringify(await opts.snapshot()), `${op.name} by a read-only member changed data`).toBe(before);
  }

  if (op.permission === "admin" && opts.developer) {
    const asDeveloper = await outcome(invoke(op, opts.developer, opts.input));
    expect(asDeveloper.ok, `${op.name} succeeded for a developer`).toBe(false);
    if (!asDeveloper.ok) expect((asDeveloper.error as AppError).code).toBe("forbidden");
    expect(JSON.stringify(await opts.snapshot()), `${op.name} by a developer changed data`).toBe(before);
  }
}
