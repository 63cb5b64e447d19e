import { reasonOfUpstreamStatus, type PullReason, type PullResult } from "@/lib/activity/reasons";
import type http from "node:http";
import type { RequestContext } from "./request-context";

/**
 * What a finished request came to, for the metrics, the pull log and the access log alike:
 * - a body the upstream broke (or that failed its digest) is incomplete, status 502;
 * - a body the client left before it was all written, or a request it left before any answer, is
 *   incomplete, status 499 — never the 200 its headers said;
 * - an answer of 400 or more is refused, with the reason the proxy noted on the way (ctx.reason),
 *   else one read from the status;
 * - anything else was pulled.
 */
export interface Outcome {
  status: number;
  result: PullResult;
  reason?: PullReason;
}

export function outcomeOf(res: Pick<http.ServerResponse, "headersSent" | "statusCode" | "writableFinished">, ctx: Pick<RequestContext, "broken" | "reason" | "error">): Outcome {
  if (ctx.broken) return { status: 502, result: "incomplete", reason: ctx.reason ?? "upstream_cut" };
  if (!res.headersSent || !res.writableFinished) return { status: 499, result: "incomplete", reason: "client_disconnected" };
  const status = res.statusCode;
  if (status < 400) return { status, result: "pulled" };
  return { status, result: "refused", reason: ctx.reason ?? reasonOfStatus(status, ctx.error) };
}

/** A refusal nobody named on the way (the cache's answers, relayed upstream errors): the upstream status in the log note, else ours. */
function reasonOfStatus(status: number, error: string | undefined): PullReason {
  const upstream = error && /\bupstream (\d{3})\b/.exec(error);
  if (upstream) return reasonOfUpstreamStatus(Number(upstream[1]));
  if (status === 400) return "bad_request";
  if (status === 404) return "upstream_not_found";
  if (status === 429) return "upstream_rate_limited";
  if (status >= 500) return "upstream_unavailable";
  return "other";
}
