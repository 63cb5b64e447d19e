import { stringFlags } from "@/cli/args";
import { defineCommand } from "@/cli/command";
import { UsageError, UserError } from "@/cli/errors";
import { onePositional, REST_CLIENT_HELP, restClient, UUID, type RestClientDeps } from "@/cli/rest-client";
import { instructionsDtoSchema } from "@/lib/licenses/instructions/schemas";
import { instructionsText } from "@/lib/licenses/instructions/text";

/**
 * `portcullis licenses instructions`: a license's install instructions from the vendor REST API
 * (`GET /api/v1/licenses/{id}/instructions`), the text lib/licenses/instructions/build.ts makes
 * for the license page and the customer portal too, printed as text (./text.ts) or as the API's
 * JSON.
 */

const USAGE = `Usage: portcullis licenses instructions LICENSE [--namespace NS] [--additional-namespaces NS,…]
       [--format text|json] [--portal-url URL]

Prints a license's install instructions, as its page and the customer portal show them: the
logins, every image of the app as the customer pulls it, the pull secret, Helm values (and the
helm install line when the app ships a chart) and the portcullis images rewrite command.
LICENSE is the license's id on the portal (a UUID: its page's address, \`id\` in the REST API),
not the license ID the customer logs in with. The output holds that license ID.

Options:
  --namespace NS                 where the pull secret and the workloads go (default: the app's slug)
  --additional-namespaces NS,…   more namespaces that get a copy of the pull secret
  --format text|json             text (default), or the REST API's JSON
${REST_CLIENT_HELP}; it needs the developer role`;

const FORMATS = ["text", "json"] as const;

export function licensesInstructionsCommand(deps: RestClientDeps = {}) {
  return defineCommand({
    path: ["licenses", "instructions"],
    summary: "Print a license's install instructions",
    usage: USAGE,
    flags: stringFlags("namespace", "additional-namespaces", "format", "portal-url"),
    positionals: true,
    async run({ values, positionals }, io) {
      const license = onePositional(positionals, "license's id");
      // Not echoed back: what was typed may be the license ID itself, a credential.
      if (!UUID.test(license)) throw new UsageError("LICENSE is the license's id on the portal (a UUID, as in its page's address), not the license ID customers log in with");
      const format = values.format ?? "text";
      if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format is text or json, not "${format.slice(0, 20)}"`);
      const query = new URLSearchParams();
      if (values.namespace !== undefined) query.set("namespace", values.namespace);
      if (values["additional-namespaces"] !== undefined) query.set("additionalNamespaces", values["additional-namespaces"]);
      const api = restClient(values, deps);
      const answer = await api.call("GET", `/licenses/${license}/instructions${query.size ? `?${query}` : ""}`);
      const parsed = instructionsDtoSchema.safeParse(answer);
      if (!parsed.success) throw new UserError("the portal's answer is not a license's install instructions: is --portal-url a Portcullis portal?");
      io.out(format === "json" ? JSON.stringify(parsed.data, null, 2) : instructionsText(parsed.data));
    },
  });
}
