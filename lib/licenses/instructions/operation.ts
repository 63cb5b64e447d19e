import { defineOperation } from "@/lib/server/operation";
import { findOr404 } from "@/lib/server/find-or-404";
import { licenseRefSchema } from "@/lib/licenses/schemas";
import { licenseRowSelect, toLicenseDto } from "@/lib/licenses/dto";
import { instructionsInputSchema } from "./schemas";
import { loadLicenseInstructions, type LoadedInstructions } from "./load";

/** A license's install instructions. Developer role and up: they hold the license ID. */
export const getLicenseInstructions = defineOperation({
  name: "licenses.instructions", permission: "write", input: instructionsInputSchema,
  async run(ctx, input): Promise<LoadedInstructions> {
    return loadLicenseInstructions(ctx.db, {
      teamId: ctx.teamId,
      licenseRowId: input.id,
      namespace: input.namespace,
      additionalNamespaces: input.additionalNamespaces,
    });
  },
});

/** A license's status and whom it is for, for its page. Every role: it holds no credential. */
export const getLicenseOverview = defineOperation({
  name: "licenses.overview", permission: "read", input: licenseRefSchema,
  async run(ctx, input) {
    const row = await findOr404(
      ctx.db.license.findFirst({
        where: { id: input.id, teamId: ctx.teamId },
        select: { ...licenseRowSelect, customer: { select: { id: true, name: true, email: true } } },
      }),
      "That license does not exist.",
    );
    return { ...toLicenseDto(row), customer: row.customer };
  },
});
