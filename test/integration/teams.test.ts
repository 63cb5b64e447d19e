import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/test/support/db";
import { errorOf } from "@/test/support/errors";
import { memberContext, twoTeams, uniqueEmail } from "@/test/support/factories";
import { invoke } from "@/lib/server/operation";
import { changeMemberRole, listMembers, removeMember } from "@/lib/teams/members";
import { inviteMember } from "@/lib/teams/invite-member";
import { acceptInvite, findUsableInvite } from "@/lib/teams/invites";
import { signUp } from "@/lib/accounts/sign-up";

const t = setupTestDatabase();



describe("members and roles", () => {
  it("never removes or demotes the last admin", async () => {
    const admin = await memberContext(t.db, { role: "admin" });
    const own = await t.db.membership.findFirstOrThrow({ where: { userId: admin.userId } });
    expect((await errorOf(invoke(changeMemberRole, admin, { membershipId: own.id, role: "developer" }))).message).toMatch(/at least one admin/);
    expect((await errorOf(invoke(removeMember, admin, { membershipId: own.id }))).code).toBe("conflict");
    expect((await t.db.membership.findUniqueOrThrow({ where: { id: own.id } })).role).toBe("admin");
  });

  it("keeps one admin even when two admins demote each other at the same time", async () => {
    const a = await memberContext(t.db, { role: "admin" });
    const b = await memberContext(t.db, { role: "admin", teamId: a.teamId });
    const ma = await t.db.membership.findFirstOrThrow({ where: { userId: a.userId } });
    const mb = await t.db.membership.findFirstOrThrow({ where: { userId: b.userId } });
    const results = await Promise.allSettled([
      invoke(changeMemberRole, a, { membershipId: mb.id, role: "developer" }),
      invoke(changeMemberRole, b, { membershipId: ma.id, role: "developer" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2 - 1);
    expect(await t.db.membership.count({ where: { teamId: a.teamId, role: "admin" } })).toBe(1);
  });

  it("changes roles with an audit event and removes members", async () => {
    const { adminA, developerA } = await twoTeams(t.db);
    const m = await t.db.membership.findFirstOrThrow({ where: { userId: developerA.userId } });
    await invoke(changeMemberRole, adminA, { membershipId: m.id, role: "read_only" });
    const ev = await t.db.auditEvent.findFirstOrThrow({ where: { action: "member.role_change", targetId: developerA.userId } });
    expect(ev.metadata).toEqual({ from: "developer", to: "read_only" });
    await invoke(removeMember, adminA, { membershipId: m.id });
    const members = await invoke(listMembers, adminA, {});
    expect(members.map((x) => x.email)).not.toContain(developerA.email);
  });
});

describe("invites", () => {
  it("a new user signs up through an invite, joins with the invited role, and the link works once", async () => {
    const admin = await memberContext(t.db, { role: "admin" });
    const email = uniqueEmail("invitee");
    const invite = await invoke(inviteMember, admin, { email, role: "read_only" });
    const joined = await signUp(t.db, { email, password: "long enough password", teamName: "ignored", inviteToken: invite.token }, "10.0.0.1");
    expect(joined!.teamId).toBe(admin.teamId);
    const membership = await t.db.membership.findFirstOrThrow({ where: { userId: joined!.userId } });
    expect(membership.role).toBe("read_only");
    // No extra team was created for the invitee.
    expect(await t.db.membership.count({ where: { userId: joined!.userId } })).toBe(1);
    expect(await findUsableInvite(t.db, invite.token)).toBeNull();
    const again = await errorOf(acceptInvite(t.db, invite.token, { userId: joined!.userId, email }, null));
    expect(again.code).toBe("not_found");
  });

  it("an existing user accepts with a matching email only", async () => {
    const admin = await memberContext(t.db, { role: "admin" });
    const other = await memberContext(t.db, { role: "admin" });
    const invite = await invoke(inviteMember, admin, { email: other.email, role: "developer" });
    const stranger = await memberContext(t.db, { role: "admin" });
    expect((await errorOf(acceptInvite(t.db, invite.token, { userId: stranger.userId, email: stranger.email }, null))).code).toBe("forbidden");
    expect(await acceptInvite(t.db, invite.token, { userId: other.userId, email: other.email }, null)).toBe(admin.teamId);
    // Now a member of two teams.
    expect(await t.db.membership.count({ where: { userId: other.userId } })).toBe(2);
  });

  it("an expired invite can't be used", async () => {
    const admin = await memberContext(t.db, { role: "admin" });
    const email = uniqueEmail("late");
    const invite = await invoke(inviteMember, admin, { email, role: "developer" });
    await t.db.invite.update({ where: { id: invite.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const err = await errorOf(signUp(t.db, { email, password: "long enough password", teamName: "x", inviteToken: invite.token }, null));
    expect(err.code).toBe("not_found");
    expect(await t.db.user.count({ where: { email } })).toBe(0);
  });

  it("refuses inviting an existing member with a field error", async () => {
    const { adminA, developerA } = await twoTeams(t.db);
    const err = await errorOf(invoke(inviteMember, adminA, { email: developerA.email, role: "admin" }));
    expect(err.fields?.email).toMatch(/already a member/);
  });
});
