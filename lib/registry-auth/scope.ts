import { isValidRepository } from "@/lib/oci/names";

/**
 * Scopes of the Docker token spec: `resourcetype[(class)]:name:action[,action…]`, e.g.
 * `repository:acme/api:pull,push`. Clients may repeat `scope`, even with the same value, and a
 * push asks for `pull,push` on the target and `pull` on a mount source: actions are merged per
 * repository name. Only plain `repository` scopes on valid repository names are kept; anything
 * else (`registry:catalog:*`, plugin classes, malformed strings) is dropped, which means no access
 * for it.
 */

const ACTION = /^(?:[a-z]+|\*)$/;
/** More than this many repositories in one token request is not a client, it's a probe. */
export const MAX_SCOPES = 32;

export interface ParsedScope {
  type: string;
  name: string;
  actions: string[];
}

export function parseScope(scope: string): ParsedScope | null {
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first <= 0 || last === first) return null;
  const actions = scope
    .slice(last + 1)
    .split(",")
    .filter(Boolean);
  if (actions.length === 0 || !actions.every((a) => ACTION.test(a))) return null;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions };
}

/** Requested actions per repository name, merged across repeated scopes (insertion order kept). */
export function mergeRepositoryScopes(scopes: readonly string[]): Map<string, Set<string>> {
  const merged = new Map<string, Set<string>>();
  for (const raw of scopes) {
    const parsed = parseScope(raw);
    if (!parsed || parsed.type !== "repository" || !isValidRepository(parsed.name)) continue;
    const actions = merged.get(parsed.name) ?? new Set<string>();
    for (const a of parsed.actions) actions.add(a);
    merged.set(parsed.name, actions);
  }
  return merged;
}

/**
 * The `scope` query values of a token request. Repeated parameters are the norm; a single value
 * with several space-separated scopes (the OAuth form) is accepted too.
 */
export function scopeParams(params: URLSearchParams): string[] {
  return params
    .getAll("scope")
    .flatMap((s) => s.split(" "))
    .filter(Boolean);
}
