import type { z } from "zod";
import { AppError, fromZodError } from "@/lib/errors";

/**
 * The one way input from outside (forms, REST bodies, query and path parameters, the internal
 * API, the CLI) becomes a typed value: NUL characters are refused first, then the zod schema.
 *
 * PostgreSQL text can't hold U+0000 (it fails with 22021), so a NUL anywhere in a string — a
 * value or a key, at any depth — is a 422 naming the field instead of an error from the database.
 */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  assertNoNulCharacters(raw);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

export const NUL_MESSAGE = "Remove the NUL character (\\u0000): text can't contain it.";

/** The paths (`a.b.0`) of every string containing U+0000 in `value`; a key with one counts as its own path. */
export function nulCharacterPaths(value: unknown): string[] {
  const found: string[] = [];
  // Iterative: a deeply nested JSON body must not overflow the stack.
  const stack: [unknown, string][] = [[value, ""]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      if (v.includes("\u0000")) found.push(path || "_");
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, path ? `${path}.${i}` : String(i)]));
    } else if (v !== null && typeof v === "object" && !(v instanceof Date)) {
      for (const [key, item] of Object.entries(v)) {
        const name = key.replaceAll("\u0000", "\\u0000");
        const at = path ? `${path}.${name}` : name;
        if (key.includes("\u0000")) found.push(at);
        else stack.push([item, at]);
      }
    }
  }
  return found.sort();
}

function assertNoNulCharacters(raw: unknown): void {
  const paths = nulCharacterPaths(raw);
  if (paths.length === 0) return;
  throw new AppError("validation_failed", "Some fields need attention.", {
    fields: Object.fromEntries(paths.map((p) => [p, NUL_MESSAGE])),
  });
}
