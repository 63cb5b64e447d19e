import { describe, expect, it } from "vitest";
import { runCli } from "@/test/support/cli-process";
import { setupTestDatabase } from "@/test/support/db";
import { uniqueEmail } from "@/test/support/factories";
import { main } from "@/cli/main";
import { adminBootstrapCommand } from "@/cli/commands/admin-bootstrap";
import { authenticateBearer } from "@/lib/tokens/authenticate";
import { authSecret } from "@/lib/auth/secret";
import { verifyCredentials } from "@/lib/accounts/sign-in";

const t = setupTestDatabase();


function runCommand(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let closed = 0;
  const command = adminBootstrapCommand({ openDb: async () => ({ db: t.db, close: async () => void closed++ }) });
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  return {
    out,
    err,
    closed: () => closed,
    /** Through main's error handling, with this command only. */
    code: (async () => {
      try {
        return (await command.run(argv, io)) ?? 0;
      } catch (e) {
        const { UsageError, UserError } = await import("@/cli/errors");
        if (e instanceof UsageError) return 2;
        if (e instanceof UserError) {
          err.push(e.message);
          return 1;
        }
        throw e;
      }
    })(),
  };
}

describe("portcullis admin bootstrap", () => {
  it("creates the user and team, prints an admin service-account token that works; a rerun reuses both", async () => {
    const email = uniqueEmail("operator");
    const first = runCommand(["--email", email, "--password", "operator password 1", "--team", "Ops Team"]);
    expect(await first.code).toBe(0);
    expect(first.closed()).toBe(1);
    const result = JSON.parse(first.out.join("\n"));
    expect(result).toMatchObject({ team: { name: "Ops Team", created: true }, user: { email, created: true }, serviceAccount: { name: "bootstrap", role: "admin" } });
    expect(result.token).toMatch(/^pcs_[0-9A-Za-z]{36}$/);

    const ctx = await authenticateBearer(t.db, result.token);
    expect(ctx).toMatchObject({ teamId: result.team.id, role: "admin", token: { kind: "service_account" } });
    // The person can sign in to the portal with that password.
    expect((await verifyCredentials(t.db, { email, password: "operator password 1" }, null)).userId).toBe(result.user.id);
    const actions = (await t.db.auditEvent.findMany({ where: { teamId: result.team.id }, orderBy: { seq: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["team.create", "user.sign_up", "token.create"]);

    const again = runCommand(["--email", email.toUpperCase(), "--password", "operator password 1", "--team", "Ops Team", "--token-name", "ci"]);
    expect(await again.code).toBe(0);
    const second = JSON.parse(again.out.join("\n"));
    expect(second).toMatchObject({ team: { id: result.team.id, created: false }, user: { id: result.user.id, created: false }, serviceAccount: { name: "ci" } });
    expect(second.token).not.toBe(result.token);
    expect(await t.db.team.count({ where: { name: "Ops Team", memberships: { some: { userId: result.user.id } } } })).toBe(1);
  });

  it("refuses an existing user with another password, bad values (exit 1) and missing flags (exit 2)", async () => {
    const email = uniqueEmail("taken");
    expect(await runCommand(["--email", email, "--password", "the real password", "--team", "T"]).code).toBe(0);

    const wrong = runCommand(["--email", email, "--password", "not the password", "--team", "T"]);
    expect(await wrong.code).toBe(1);
    expect(wrong.err).toEqual([`${email} already exists with a different password.`]);
    expect(wrong.out).toEqual([]);

    const badEmail = runCommand(["--email", "nope", "--password", "long enough password", "--team", "T"]);
    expect(await badEmail.code).toBe(1);
    expect(badEmail.err[0]).toMatch(/^--email: Enter a valid email address\.$/);
    const shortPassword = runCommand(["--email", uniqueEmail(), "--password", "short", "--team", "T"]);
    expect(await shortPassword.code).toBe(1);
    expect(shortPassword.err[0]).toMatch(/--password: Use at least 10 characters/);

    expect(await runCommand(["--email", email, "--password", "the real password"]).code).toBe(2);
    expect(await runCommand(["--email", email, "--password", "the real password", "--team", "T", "--bogus"]).code).toBe(2);
  });

  it("is registered under `admin bootstrap` with --help", async () => {
    const out: string[] = [];
    const code = await main(["admin", "bootstrap", "--help"], { out: (l) => out.push(l), err: () => {} });
    expect(code).toBe(0);
    expect(out.join("\n")).toMatch(/^Usage: portcullis admin bootstrap --email EMAIL --password PASSWORD --team NAME/);
    const overview: string[] = [];
    await main(["--help"], { out: (l) => overview.push(l), err: () => {} });
    expect(overview.join("\n")).toMatch(/admin bootstrap/);
  });

  it("works through the real `portcullis` binary: JSON on stdout, exit 0; exit 2 on bad usage", async () => {
    const env = { ...process.env, DATABASE_URL: t.url, AUTH_SECRET: authSecret(), NODE_ENV: "test" as const };
    const run = (args: string[]) => runCli(args, env);
    const email = uniqueEmail("bin");
    const ok = await run(["admin", "bootstrap", "--email", email, "--password", "binary password", "--team", "Bin Team"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const result = JSON.parse(ok.stdout);
    expect(result.team.name).toBe("Bin Team");
    expect(await authenticateBearer(t.db, result.token)).toMatchObject({ teamId: result.team.id, role: "admin" });

    const usage = await run(["admin", "bootstrap", "--email", email]);
    expect(usage.code).toBe(2);
    expect(usage.stderr.split("\n")[0]).toBe("portcullis admin bootstrap: --password is required");
    const wrong = await run(["admin", "bootstrap", "--email", email, "--password", "another password", "--team", "Bin Team"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toBe(`portcullis admin bootstrap: ${email} already exists with a different password.`);
  });
});
