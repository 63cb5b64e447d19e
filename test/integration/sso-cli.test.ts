import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "@/test/support/cli-process";
import { authSecret } from "@/lib/auth/secret";
import { invoke } from "@/lib/server/operation";
import { addSsoDomain, listSsoDomains } from "@/lib/sso/domains";
import { setupTestDatabase } from "@/test/support/db";
import { twoTeams } from "@/test/support/factories";
import { configureTestEnv } from "@/test/support/test-env";

/** `portcullis sso verify-domain` through the real binary on a test database. */

configureTestEnv({ name: "sso-cli-test" });
const t = setupTestDatabase();
let teams: Awaited<ReturnType<typeof twoTeams>>;

const run = (args: string[]) => runCli(args, { ...process.env, DATABASE_URL: t.url, AUTH_SECRET: authSecret(), NODE_ENV: "test" as const });

beforeAll(async () => {
  teams = await twoTeams(t.db);
  await t.db.team.update({ where: { id: teams.adminA.teamId }, data: { name: "Acme Operators" } });
  await t.db.team.update({ where: { id: teams.adminB.teamId }, data: { name: "Other Operators" } });
});

describe("portcullis sso verify-domain", () => {
  it("marks a claimed domain verified, audited as the operator; exit 0", async () => {
    await invoke(addSsoDomain, teams.adminA, { domain: "ops.example.test" });
    const r = await run(["sso", "verify-domain", "--team", "Acme Operators", "--domain", "OPS.example.test"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('ops.example.test is verified for team "Acme Operators".');
    expect((await invoke(listSsoDomains, teams.adminA, {})).find((d) => d.domain === "ops.example.test")?.status).toBe("verified");
    const event = await t.db.auditEvent.findFirstOrThrow({ where: { teamId: teams.adminA.teamId, action: "sso.domain_verified" } });
    expect(event).toMatchObject({ actorId: null, actorEmail: "operator (portcullis CLI)", targetLabel: "ops.example.test", metadata: { method: "operator" } });
  });

  it("refuses another team's verified domain and an unknown team with exit 1; bad usage exits 2", async () => {
    const taken = await run(["sso", "verify-domain", "--team", "Other Operators", "--domain", "ops.example.test"]);
    expect(taken.code).toBe(1);
    expect(taken.stderr.trim()).toBe("portcullis sso verify-domain: --domain: ops.example.test is verified by another team.");
    expect(await t.db.ssoDomain.count({ where: { teamId: teams.adminB.teamId, verifiedAt: { not: null } } })).toBe(0);

    const unknown = await run(["sso", "verify-domain", "--team", "Nobody", "--domain", "x.example.test"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No team is named "Nobody"/);

    const usage = await run(["sso", "verify-domain", "--team", "Acme Operators"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr.split("\n")[0]).toBe("portcullis sso verify-domain: --domain is required");

    const help = await run(["sso", "verify-domain", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: portcullis sso verify-domain --team NAME --domain DOMAIN/);
  });
});
