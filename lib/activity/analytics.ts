import type { Db } from "@/lib/db/client";
import type { CustomerAnalytics } from "./analytics-dto";

/**
 * One customer's deliveries through the proxy and from the hosted registry, from the pull log: per UTC day and per image the
 * manifests fetched (`pulls`) and the bytes of completed transfers; the first and last pull ever;
 * and every manifest digest the customer fetched with the tags that resolved to it ("which
 * versions each customer runs"). Refused and incomplete attempts are counted apart, never as
 * pulls or bytes. Scoped to the team: the caller has checked the customer is the team's.
 */
const DAY_MS = 86_400_000;
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

export async function customerAnalytics(db: Db, teamId: string, customer: { id: string; name: string }, opts: { days: number; now?: Date }): Promise<CustomerAnalytics> {
  const now = opts.now ?? new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = new Date(today - (opts.days - 1) * DAY_MS);
  // Both sources: the hosted registry's license pulls are recorded as "pulled" too (lib/registry-auth/events.ts).
  const scope = { teamId, customerId: customer.id } as const;

  const [perDayImage, outcomes, span, versions] = await Promise.all([
    db.$queryRaw<Array<{ day: string; image: string; pulls: bigint; bytes: bigint | null }>>`
      SELECT to_char("createdAt", 'YYYY-MM-DD') AS "day", "image",
             count(*) FILTER (WHERE "action" = 'pull-manifest') AS "pulls", sum("bytes") AS "bytes"
      FROM "PullEvent"
      WHERE "teamId" = ${teamId}::uuid AND "customerId" = ${customer.id}::uuid AND "result" = 'pulled' AND "createdAt" >= ${from.toISOString()}::timestamp
      GROUP BY 1, 2`,
    db.pullEvent.groupBy({ by: ["result"], where: { ...scope, result: { in: ["refused", "incomplete"] }, createdAt: { gte: from } }, _sum: { count: true } }),
    db.pullEvent.aggregate({ where: { ...scope, result: "pulled", action: "pull-manifest" }, _min: { createdAt: true }, _max: { createdAt: true } }),
    db.$queryRaw<Array<{ image: string; digest: string; tags: string[] | null; pulls: bigint; first: Date; last: Date }>>`
      SELECT "image", "digest",
             array_agg(DISTINCT "reference") FILTER (WHERE "reference" IS NOT NULL AND "reference" NOT LIKE 'sha256:%') AS "tags",
             count(*) AS "pulls", min("createdAt") AS "first", max("createdAt") AS "last"
      FROM "PullEvent"
      WHERE "teamId" = ${teamId}::uuid AND "customerId" = ${customer.id}::uuid AND "result" = 'pulled' AND "action" = 'pull-manifest' AND "digest" IS NOT NULL
      GROUP BY 1, 2
      ORDER BY max("createdAt") DESC
      LIMIT 200`,
  ]);

  const days = new Map<string, { day: string; pulls: number; bytes: number }>();
  for (let t = from.getTime(); t <= today; t += DAY_MS) {
    const day = dayOf(new Date(t));
    days.set(day, { day, pulls: 0, bytes: 0 });
  }
  const images = new Map<string, { image: string; pulls: number; bytes: number; days: Array<{ day: string; pulls: number; bytes: number }> }>();
  for (const r of perDayImage) {
    const pulls = Number(r.pulls);
    const bytes = Number(r.bytes ?? 0);
    const d = days.get(r.day);
    if (d) (d.pulls += pulls), (d.bytes += bytes);
    const img = images.get(r.image) ?? { image: r.image, pulls: 0, bytes: 0, days: [] };
    img.pulls += pulls;
    img.bytes += bytes;
    img.days.push({ day: r.day, pulls, bytes });
    images.set(r.image, img);
  }
  const dayList = [...days.values()];
  const counted = (result: string) => outcomes.find((o) => o.result === result)?._sum.count ?? 0;
  return {
    customer,
    from: dayOf(from),
    to: dayOf(new Date(today)),
    totals: { pulls: dayList.reduce((n, d) => n + d.pulls, 0), bytes: dayList.reduce((n, d) => n + d.bytes, 0), refused: counted("refused"), incomplete: counted("incomplete") },
    firstPullAt: span._min.createdAt,
    lastPullAt: span._max.createdAt,
    days: dayList,
    images: [...images.values()].map((i) => ({ ...i, days: i.days.sort((a, b) => a.day.localeCompare(b.day)) })).sort((a, b) => b.pulls - a.pulls || b.bytes - a.bytes || a.image.localeCompare(b.image)),
    versions: versions.map((v) => ({ image: v.image, digest: v.digest, tags: (v.tags ?? []).sort(), pulls: Number(v.pulls), firstPullAt: new Date(v.first), lastPullAt: new Date(v.last) })),
  };
}
