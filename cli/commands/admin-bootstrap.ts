import { requireFlag, stringFlags } from "@/cli/args";
import { defineCommand, type Command } from "@/cli/command";
import { UserError } from "@/cli/errors";
import { AppError } from "@/lib/errors";
import { disconnectDb, getDb, type Db } from "@/lib/db/client";
import { bootstrapAdmin } from "@/lib/accounts/bootstrap";

const USAGE = `Usage: portcullis admin bootstrap --email EMAIL --password PASSWORD --team NAME [--token-name NAME]

Creates the user and the team (with the user as its admin) when they don't exist yet, then
issues a new admin service-account token for the team and prints, as JSON on stdout:

  {"team": {"id", "name", "created"}, "user": {"id", "email", "created"},
   "serviceAccount": {"id", "name", "role"}, "token": "pcs_…"}

Running it again reuses the user (the password must match) and their team of that name, and
issues another token. Works on DATABASE_URL, or the embedded database in PORTCULLIS_DATA_DIR.
Use the token with the REST API: Authorization: Bearer <token>.

Options:
  --email EMAIL       the admin's email address
  --password PASSWORD the admin's password (at least 10 characters); for signing in to the portal
  --team NAME         the team's name
  --token-name NAME   the service account's name (default "bootstrap")
  -h, --help          show this help

Exit codes: 0 done, 1 a bad value or a conflict (one line on stderr), 2 bad usage.`;

/** The command, with its database injectable for tests. */
export function adminBootstrapCommand(deps: { openDb?: () => Promise<{ db: Db; close: () => Promise<void> }> } = {}): Command {
  const openDb = deps.openDb ?? (async () => ({ db: await getDb(), close: disconnectDb }));
  return defineCommand({
    path: ["admin", "bootstrap"],
    summary: "create an admin user and team if missing; print a new admin service-account token",
    usage: USAGE,
    flags: { ...stringFlags("email", "password", "team", "token-name") },
    async run({ values }, io) {
      const input = {
        email: requireFlag(values, "email"),
        password: requireFlag(values, "password"),
        teamName: requireFlag(values, "team"),
        tokenName: values["token-name"],
      };
      const { db, close } = await openDb();
      try {
        const result = await bootstrapAdmin(db, input);
        io.out(JSON.stringify(result, null, 2));
        return 0;
      } catch (e) {
        if (e instanceof AppError) {
          const detail = e.fields ? Object.entries(e.fields).map(([k, v]) => `--${k === "teamName" ? "team" : k === "tokenName" ? "token-name" : k}: ${v}`).join("; ") : e.message;
          throw new UserError(detail);
        }
        throw e;
      } finally {
        await close();
      }
    },
  });
}
