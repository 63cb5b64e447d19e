import "server-only";
import type { Db } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import type { AppImageSuggestionDto } from "./dto";
import { parseAppImage, type ParseContext } from "./parse";

/**
 * Images an app ships but doesn't list yet, read from its pull log: manifests pushed to the
 * hosted registry under its slug, and manifests its licenses pulled through the proxy. Each is
 * written as the vendor would enter it, read back with the image list's own parser (so it adds
 * with one click and nothing the list would refuse is offered), newest first.
 */

const RECENT_EVENTS = 2000;
const MAX_SUGGESTIONS = 20;

type Listed = ReadonlyArray<{ source: string; registryHost: string; repository: string }>;

export async function suggestAppImages(db: Db, opts: { teamId: string; appId: string; listed: Listed; parse: ParseContext }): Promise<AppImageSuggestionDto[]> {
  const events = await db.pullEvent.findMany({
    where: { teamId: opts.teamId, appId: opts.appId, status: { lt: 400 }, action: { in: ["push-manifest", "pull-manifest"] } },
    select: { source: true, image: true, reference: true, action: true, createdAt: true },
    orderBy: { seq: "desc" },
    take: RECENT_EVENTS,
  });
  const seen = new Set(opts.listed.map((i) => `${i.source} ${i.registryHost} ${i.repository}`));
  const out: AppImageSuggestionDto[] = [];
  const proxyPrefix = `proxy/${opts.parse.appSlug}/`;
  for (const e of events) {
    let path: string;
    if (e.source === "registry" && e.action === "push-manifest" && opts.parse.hostedHost) path = `${opts.parse.hostedHost}/${e.image}`;
    else if (e.source === "proxy" && e.image.startsWith(proxyPrefix)) path = e.image.slice(proxyPrefix.length);
    else continue;
    const tag = e.reference && !e.reference.includes(":") ? `:${e.reference}` : "";
    let parsed;
    try {
      parsed = parseAppImage(`${path}${tag}`, opts.parse);
    } catch (err) {
      if (err instanceof AppError) continue;
      throw err;
    }
    const key = `${parsed.source} ${parsed.registryHost} ${parsed.repository}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ reference: `${path}${tag}`, seenIn: e.action === "push-manifest" ? "push" : "pull", lastSeenAt: e.createdAt });
    if (out.length >= MAX_SUGGESTIONS) break;
  }
  return out;
}
