import { requireFlag, stringFlags } from "@/cli/args";
import { defineCommand, type Command } from "@/cli/command";
import { UserError } from "@/cli/errors";
import { AppError } from "@/lib/errors";
import { disconnectDb, getDb, type Db } from "@/lib/db/client";
import { operatorVerifyDomain } from "@/lib/sso/operator-verify";

const USAGE = `Usage: portcullis sso verify-domain --team NAME --domain DOMAIN

Marks DOMAIN verified for single sign-on of the team, without the DNS TXT record: for private
installs whose DNS the portal can't query. Claims the domain for the team first when it has not
claimed it. Refused when another team verified the domain. Recorded in the team's audit log as
an operator action. Works on DATABASE_URL, or the embedded database in PORTCULLIS_DATA_DIR.

Options:
  --team NAME      the team's name (or its id when several teams share a name)
  --domain DOMAIN  the email domain, e.g. example.com
  -h, --help       show this help

Exit codes: 0 done, 1 a bad value, an unknown team or a conflict (one line on stderr), 2 bad usage.`;

/** The command, with its database injectable for tests. */
export function ssoVerifyDomainCommand(deps: { openDb?: () => Promise<{ db: Db; close: () => Promise<void> }> } = {}): Command {
  const openDb = deps.openDb ?? (async () => ({ db: await getDb(), close: disconnectDb }));
  return defineCommand({
    path: ["sso", "verify-domain"],
    summary: "mark an email domain verified for a team's single sign-on (operator action, audited)",
    usage: USAGE,
    flags: { ...stringFlags("team", "domain") },
    async run({ values }, io) {
      const input = { team: requireFlag(values, "team"), domain: requireFlag(values, "domain") };
      const { db, close } = await openDb();
      try {
        const r = await operatorVerifyDomain(db, input);
        io.out(r.changed ? `${r.domain.domain} is verified for team "${r.teamName}".` : `${r.domain.domain} was already verified for team "${r.teamName}".`);
        return 0;
      } catch (e) {
        if (e instanceof AppError) throw new UserError(e.fields ? Object.entries(e.fields).map(([k, v]) => `--${k}: ${v}`).join("; ") : e.message);
        throw e;
      } finally {
        await close();
      }
    },
  });
}
