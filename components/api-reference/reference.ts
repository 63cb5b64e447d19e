/** The OpenAPI document as the API reference pages read it: operations grouped by tag, one page per tag. Server-only. */
import { cache } from "react";
import { openApiDocument } from "@/lib/api/openapi";
import type { Json } from "./schema";

export type Op = { path: string; method: string; op: Json };

export const referencePath = "/api-reference";
export const tagSlug = (tag: string) => tag.toLowerCase().replace(/[^a-z0-9]+/g, "-");
export const tagHref = (tag: string) => `${referencePath}/${tagSlug(tag)}`;
export const opHref = (o: Op) => `${tagHref(tagOf(o))}#${String(o.op.operationId)}`;
export const tagOf = (o: Op) => (o.op.tags as string[])[0]!;

/** Built once per request (a page and its metadata both ask for it). */
export const reference = cache((base: string) => {
  const doc = openApiDocument({ serverUrl: base }) as Json;
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const ops: Op[] = Object.entries(paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
  const tags = ((doc.tags as { name: string }[]) ?? []).map((t) => t.name);
  const schemas = (doc.components as Json).schemas as Record<string, Json>;
  return { doc, ops, tags, schemas, opsOf: (tag: string) => ops.filter((o) => tagOf(o) === tag) };
});
