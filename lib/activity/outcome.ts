/**
 * What an activity row says happened, from its action and the status the registry or the proxy
 * answered: a pull the proxy refused (401/403/429) is "refused", not "pulled"; one the proxy's
 * cache answered says so (while the vendor's registry failed: "registry unavailable").
 */
const DONE: Record<string, string> = { "push-manifest": "pushed", "pull-manifest": "pulled", "delete-manifest": "deleted" };
const ATTEMPT: Record<string, string> = { "push-manifest": "push", "pull-manifest": "pull", "delete-manifest": "delete" };

export function activityOutcome(e: { action: string; status: number; cache?: string | null; result?: string | null }): { text: string; ok: boolean } {
  // A transfer that ended early (the client left, the upstream cut it) is not a pull, whatever its status line said.
  if (e.result === "incomplete") return { text: `${ATTEMPT[e.action] ?? e.action} incomplete (${e.status})`, ok: false };
  if (e.status < 400) {
    const done = DONE[e.action] ?? e.action;
    if (e.cache === "hit") return { text: `${done} from the cache`, ok: true };
    if (e.cache === "stale") return { text: `${done} from the cache (registry unavailable)`, ok: true };
    return { text: done, ok: true };
  }
  const what = ATTEMPT[e.action] ?? e.action;
  if (e.status === 401 || e.status === 403) return { text: `${what} refused (${e.status})`, ok: false };
  if (e.status === 429) return { text: `${what} refused: too many attempts (429)`, ok: false };
  if (e.status === 404) return { text: `${what} of an unknown image (404)`, ok: false };
  return { text: `${what} failed (${e.status})`, ok: false };
}
