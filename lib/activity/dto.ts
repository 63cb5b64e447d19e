import { z } from "zod";

/** An image push, pull or delete as the operations return it. */
export const activityDtoSchema = z.object({
  id: z.string(),
  at: z.date(),
  source: z.enum(["registry", "proxy"]),
  action: z.string(),
  image: z.string(),
  reference: z.string().nullable(),
  status: z.int(),
  bytes: z.number(),
  actor: z.string().nullable(),
  /** Where the proxy's answer came from: its cache, the upstream (a miss), or its cache while the upstream failed (stale). Null: not cached. */
  cache: z.enum(["hit", "miss", "stale"]).nullable(),
  /** The proxy's attempts: pulled, refused or incomplete (a transfer that ended early). Null: the hosted registry's events. */
  result: z.enum(["pulled", "refused", "incomplete"]).nullable(),
  app: z.object({ id: z.string(), slug: z.string() }).nullable(),
  license: z.object({ id: z.string(), hint: z.string(), customerId: z.string(), customerName: z.string() }).nullable(),
});

export type ActivityDto = z.infer<typeof activityDtoSchema>;
