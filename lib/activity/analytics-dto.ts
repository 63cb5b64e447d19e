import { z } from "zod";

const day = z.string().meta({ description: "A UTC day, YYYY-MM-DD.", example: "2026-12-05" });
const dayCount = z.object({ day, pulls: z.int(), bytes: z.number() });

/** What one customer pulled: per day, per image, and which versions (digests). */
export const customerAnalyticsDtoSchema = z.object({
  customer: z.object({ id: z.uuid(), name: z.string() }),
  from: day.meta({ description: "The first day counted (UTC)." }),
  to: day.meta({ description: "The last day counted (UTC): today." }),
  totals: z.object({
    pulls: z.int().meta({ description: "Manifests fetched in the window (pulling a multi-platform image fetches its index and its platform's manifest: two)." }),
    bytes: z.number().meta({ description: "Bytes of completed transfers in the window: manifests and blobs." }),
    refused: z.int().meta({ description: "Attempts refused in the window." }),
    incomplete: z.int().meta({ description: "Transfers that ended early in the window." }),
  }),
  firstPullAt: z.date().nullable().meta({ description: "The customer's first manifest fetched, ever." }),
  lastPullAt: z.date().nullable().meta({ description: "The customer's last manifest fetched, ever." }),
  days: z.array(dayCount).meta({ description: "Every day of the window, oldest first, zeros included." }),
  images: z
    .array(z.object({ image: z.string(), pulls: z.int(), bytes: z.number(), days: z.array(dayCount).meta({ description: "Days with pulls or bytes only." }) }))
    .meta({ description: "Per image as the customer wrote it (`proxy/<app slug>/<image>`), most pulled first." }),
  versions: z
    .array(
      z.object({
        image: z.string(),
        digest: z.string(),
        tags: z.array(z.string()).meta({ description: "The tags the customer pulled that resolved to this digest (none: pulled by digest)." }),
        pulls: z.int(),
        firstPullAt: z.date(),
        lastPullAt: z.date(),
      }),
    )
    .meta({ description: "Which versions the customer runs: each manifest digest they fetched, ever, most recent first." }),
});
export type CustomerAnalytics = z.infer<typeof customerAnalyticsDtoSchema>;
