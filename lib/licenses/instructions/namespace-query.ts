import { fromZodError } from "@/lib/errors";
import { instructionsInputSchema } from "./schemas";

const namespacesSchema = instructionsInputSchema.pick({ namespace: true, additionalNamespaces: true });

export interface NamespaceChoice {
  namespace?: string;
  additionalNamespaces?: string[];
}

/**
 * A page's namespace fields (query parameters): the valid choice, and a message per field that
 * isn't valid (the instructions are then shown for the defaults).
 */
export function readNamespaceQuery(query: Record<string, string | string[] | undefined>): { choice: NamespaceChoice; errors: Record<string, string> } {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const parsed = namespacesSchema.safeParse({ namespace: first(query.namespace), additionalNamespaces: first(query.additionalNamespaces) });
  if (parsed.success) return { choice: parsed.data, errors: {} };
  return { choice: {}, errors: fromZodError(parsed.error).fields ?? {} };
}

/** The pull-secret link's query for a choice (`namespace=…&additionalNamespaces=a,b`), or "". */
export function pullSecretQuery(choice: NamespaceChoice): string {
  const query = new URLSearchParams({
    ...(choice.namespace && { namespace: choice.namespace }),
    ...(choice.additionalNamespaces?.length && { additionalNamespaces: choice.additionalNamespaces.join(",") }),
  }).toString();
  return query && `?${query}`;
}

/**
 * What the namespace fields show: a refused value stays in its field, beside its message; otherwise
 * the values the instructions were rendered for.
 */
export function namespaceFieldValues(
  query: Record<string, string | string[] | undefined>,
  errors: Record<string, string>,
  rendered: { namespace: string; additionalNamespaces: string[] },
): { namespace: string; additionalNamespaces: string } {
  return {
    namespace: errors.namespace ? String(query.namespace ?? "") : rendered.namespace,
    additionalNamespaces: errors.additionalNamespaces ? String(query.additionalNamespaces ?? "") : rendered.additionalNamespaces.join(", "),
  };
}
