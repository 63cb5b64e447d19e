import { z } from "zod";
import { pullReasons, pullResults } from "./reasons";

/** One pull attempt through the proxy, or a license's pull from the hosted registry (refused attempts of one minute folded into one, with their `count`). */
export const pullAttemptDtoSchema = z.object({
  id: z.uuid(),
  at: z.date().meta({ description: "When the attempt was made (for folded refusals: the first of them)." }),
  result: z.enum(pullResults).meta({ description: "pulled; refused (see `reason`); incomplete: the transfer ended early (see `reason`), with the bytes that got through." }),
  reason: z.enum(pullReasons).nullable().meta({ description: "Why it was refused or ended early: a stable code (the Activity page's table says what each means and what fixes it)." }),
  reference: z.string().meta({ description: "What the customer asked for, as written: `proxy/<app slug>/<image>:<tag>` or `…@<digest>`; from the hosted registry `REGISTRY_HOST/<app slug>/<image>:<tag>`.", example: "proxy/widget/ghcr.io/acme/api:1.4" }),
  image: z.string().meta({ description: "The repository as written, without tag or digest.", example: "proxy/widget/ghcr.io/acme/api" }),
  action: z.string().meta({ example: "pull-manifest" }),
  status: z.int().meta({ description: "The HTTP status the proxy answered (499: the client left first)." }),
  bytes: z.number().meta({ description: "Body bytes sent to the client." }),
  count: z.int().meta({ description: "How many attempts this entry stands for (refusals of one minute are folded)." }),
  cache: z.enum(["hit", "miss", "stale"]).nullable(),
  customer: z.object({ id: z.uuid(), name: z.string() }).nullable().meta({ description: "Null for a license nobody issued (a guess, a typo): listed under the app its path named." }),
  license: z.object({ id: z.uuid(), hint: z.string() }).nullable(),
  app: z.object({ id: z.uuid(), slug: z.string() }).nullable(),
});
export type PullAttemptDto = z.infer<typeof pullAttemptDtoSchema>;

export const pullActivityPageDtoSchema = z.object({
  attempts: z.array(pullAttemptDtoSchema),
  total: z.int(),
  page: z.int(),
  pageSize: z.int(),
  pages: z.int(),
});
export type PullActivityPage = z.infer<typeof pullActivityPageDtoSchema>;
