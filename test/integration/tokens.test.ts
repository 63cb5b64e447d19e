import { beforeAll, describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test/support/db";
import { errorOf } from "@/test/support/errors";
import { memberContext, twoTeams } from "@/test/support/factories";
import { invoke } from "@/lib/server/operation";
import { authenticateBearer } from "@/lib/tokens/authenticate";
import { createPersonalToken, createServiceAccount, createTeamToken, listTokens, revokeToken } from "@/lib/tokens/operations";
import { createApp } from "@/lib/apps/operations";
import { changeMemberRole, removeMember } from "@/lib/teams/members";

const t = setupTestDatabase();
let teams: Awaited<ReturnType<typeof twoTeams>>;

beforeAll(async () => {
  teams = await twoTeams(t.db);
});

/** JSON of database rows (audit events carry a BigInt seq). */
const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? String(x) : x));


describe("API tokens", () => {
  it("a personal token acts as its user, shown once and stored only as a keyed hash", async () => {
    const created = await invoke(createPersonalToken, teams.developerA, { name: "laptop" });
    expect(created.token).toMatch(/^pcu_[0-9A-Za-z]{36}$/);
    expect(created).toMatchObject({ kind: "user", role: "developer", hint: created.token.slice(0, 8), status: "active", ownerEmail: teams.developerA.email });
    const row = await t.db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(JSON.stringify(row)).not.toContain(created.token.slice(8));
    expect((await invoke(listTokens, teams.developerA, {})).find((x) => x.id === created.id)).not.toHaveProperty("token");

    const ctx = await authenticateBearer(t.db, created.token, { ip: "10.0.0.1" });
    expect(ctx).toMatchObject({
      userId: teams.developerA.userId,
      email: teams.developerA.email,
      teamId: teams.adminA.teamId,
      role: "developer",
      ip: "10.0.0.1",
      token: { id: created.id, kind: "user", name: "laptop" },
    });
    // It really acts: an app created with it is audited as that user.
    const app = await invoke(createApp, ctx!, { name: "Via Token" });
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { action: "app.create", targetId: app.id } });
    expect(event.actorId).toBe(teams.developerA.userId);
    const audit = await t.db.auditEvent.findFirstOrThrow({ where: { action: "token.create", targetId: created.id } });
    expect(json(audit)).not.toContain(created.token.slice(8));
  });

  it("a personal token never has more than its user: capped at creation and at each use", async () => {
    const member = await memberContext(t.db, { role: "developer", teamId: teams.adminA.teamId });
    const capped = await invoke(createPersonalToken, member, { name: "wants admin", role: "admin" });
    expect(capped.role).toBe("developer");
    const reader = await invoke(createPersonalToken, member, { name: "reader", role: "read_only" });
    expect((await authenticateBearer(t.db, reader.token))?.role).toBe("read_only");

    const membership = await t.db.membership.findFirstOrThrow({ where: { userId: member.userId } });
    await invoke(changeMemberRole, teams.adminA, { membershipId: membership.id, role: "read_only" });
    expect((await authenticateBearer(t.db, capped.token))?.role).toBe("read_only");
    await invoke(removeMember, teams.adminA, { membershipId: membership.id });
    expect(await authenticateBearer(t.db, capped.token)).toBeNull();
  });

  it("service accounts carry their own role and name; team tokens are admin; both admin-only to create", async () => {
    const sa = await invoke(createServiceAccount, teams.adminA, { name: "ci", role: "read_only" });
    expect(sa.token).toMatch(/^pcs_/);
    const saCtx = await authenticateBearer(t.db, sa.token);
    expect(saCtx).toMatchObject({ userId: sa.id, email: "ci (service account)", role: "read_only", teamId: teams.adminA.teamId });
    expect((await errorOf(invoke(createApp, saCtx!, { name: "Nope" }))).code).toBe("forbidden");

    const team = await invoke(createTeamToken, teams.adminA, { name: "docker" });
    expect(team.token).toMatch(/^pct_/);
    expect(await authenticateBearer(t.db, team.token)).toMatchObject({ role: "admin", email: "docker (team token)" });

    expect((await errorOf(invoke(createServiceAccount, teams.developerA, { name: "x", role: "read_only" }))).code).toBe("forbidden");
    expect((await errorOf(invoke(createTeamToken, teams.developerA, { name: "x" }))).code).toBe("forbidden");
  });

  it("a token can't mint tokens, so a leaked one can't outlive its revocation", async () => {
    const sa = await invoke(createServiceAccount, teams.adminA, { name: "admin-bot", role: "admin" });
    const ctx = (await authenticateBearer(t.db, sa.token))!;
    for (const op of [createServiceAccount, createTeamToken, createPersonalToken] as const) {
      const err = await errorOf(invoke(op, ctx, { name: "child", role: "admin" }));
      expect(err.code).toBe("forbidden");
    }
  });

  it("refuses revoked, expired, unknown, mistyped and other-kind tokens", async () => {
    const a = await invoke(createServiceAccount, teams.adminA, { name: "short-lived", role: "developer", expiresAt: "2099-01-01" });
    expect(a.expiresAt?.toISOString()).toBe("2099-01-01T23:59:59.999Z");
    expect(await authenticateBearer(t.db, a.token)).not.toBeNull();
    await t.db.apiToken.update({ where: { id: a.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await authenticateBearer(t.db, a.token)).toBeNull();
    expect((await invoke(listTokens, teams.adminA, {})).find((x) => x.id === a.id)?.status).toBe("expired");

    const b = await invoke(createServiceAccount, teams.adminA, { name: "revoked", role: "developer" });
    await invoke(revokeToken, teams.adminA, { id: b.id });
    expect(await authenticateBearer(t.db, b.token)).toBeNull();

    const c = await invoke(createPersonalToken, teams.adminA, { name: "typo" });
    expect(await authenticateBearer(t.db, c.token.slice(0, -1) + (c.token.endsWith("A") ? "B" : "A"))).toBeNull();
    expect(await authenticateBearer(t.db, "pcu_" + "0".repeat(36))).toBeNull();
    expect(await authenticateBearer(t.db, "")).toBeNull();
    expect(await authenticateBearer(t.db, "x".repeat(10_000))).toBeNull();
  });

  it("refuses an expiry in the past with a field error", async () => {
    const err = await errorOf(invoke(createPersonalToken, teams.adminA, { name: "old", expiresAt: "2001-01-01" }));
    expect(err.code).toBe("validation_failed");
    expect(err.fields?.expiresAt).toMatch(/future/);
  });

  it("records last use at most once a minute", async () => {
    const { id, token } = await invoke(createServiceAccount, teams.adminA, { name: "busy", role: "developer" });
    await authenticateBearer(t.db, token);
    const first = (await t.db.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    await authenticateBearer(t.db, token);
    expect((await t.db.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt).toEqual(first);
    await t.db.apiToken.update({ where: { id }, data: { lastUsedAt: new Date(Date.now() - 61_000) } });
    await authenticateBearer(t.db, token);
    expect((await t.db.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt!.getTime()).toBeGreaterThan(Date.now() - 5000);
  });

  it("revoke: own personal tokens by anyone, the rest by admins; idempotent with one audit event", async () => {
    const mine = await invoke(createPersonalToken, teams.readOnlyA, { name: "reader's" });
    expect(mine.role).toBe("read_only");
    const other = await invoke(createPersonalToken, teams.adminA, { name: "admin's" });
    const sa = await invoke(createServiceAccount, teams.adminA, { name: "robot", role: "developer" });

    // Non-admins don't see (or touch) other people's personal tokens.
    const visible = (await invoke(listTokens, teams.developerA, {})).map((x) => x.id);
    expect(visible).not.toContain(mine.id);
    expect(visible).toContain(sa.id);
    expect((await errorOf(invoke(revokeToken, teams.developerA, { id: other.id }))).code).toBe("not_found");
    expect((await errorOf(invoke(revokeToken, teams.developerA, { id: sa.id }))).code).toBe("forbidden");

    await invoke(revokeToken, teams.readOnlyA, { id: mine.id });
    const again = await invoke(revokeToken, teams.readOnlyA, { id: mine.id });
    expect(again.status).toBe("revoked");
    expect(await t.db.auditEvent.count({ where: { action: "token.revoke", targetId: mine.id } })).toBe(1);

    // Admins see and revoke anyone's personal token (incident response).
    expect((await invoke(listTokens, teams.adminA, {})).map((x) => x.id)).toContain(mine.id);
    await Promise.all([invoke(revokeToken, teams.adminA, { id: sa.id }), invoke(revokeToken, teams.adminA, { id: sa.id })]);
    expect(await t.db.auditEvent.count({ where: { action: "token.revoke", targetId: sa.id } })).toBe(1);

    expect((await errorOf(invoke(revokeToken, teams.adminB, { id: sa.id }))).code).toBe("not_found");
  });
});
