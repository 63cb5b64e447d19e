import { customerInstructions } from "@/lib/customer-portal/view";
import { customerSession } from "@/lib/customer-portal/route-auth";
import { readNamespaceQuery } from "@/lib/licenses/instructions/namespace-query";
import { AppError } from "@/lib/errors";
import { fileResponse } from "@/lib/http/responses";
import { defineRoute } from "@/lib/http/route";

/** The pull secret (YAML) of the customer session's own license, for the namespaces in the query. */
export const GET = defineRoute({
  auth: customerSession,
  errors: "text",
  async handler({ req, caller }) {
    const { choice, errors } = readNamespaceQuery(Object.fromEntries(new URL(req.url).searchParams));
    const first = Object.values(errors)[0];
    if (first) throw new AppError("validation_failed", first);
    const i = await customerInstructions(caller, choice);
    return fileResponse(i.pullSecretYaml, { contentType: "application/yaml; charset=utf-8", filename: `${i.pullSecretName}.yaml` });
  },
});
