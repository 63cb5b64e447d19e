import { z } from "zod";

/** A date on the wire: JSON has no dates, so the REST API sends ISO 8601 strings. */
export const dateTime = z.string().meta({ format: "date-time", example: "2025-01-31T12:00:00.000Z" });

/** DTO schemas whose wire form is a named REST schema of its own (referenced, not inlined). */
export type WireRefs = ReadonlyMap<z.ZodType, z.ZodType>;

/** The type of `wireSchema(T)`. */
export type Wire<T extends z.ZodType> = T extends z.ZodDate
  ? typeof dateTime
  : T extends z.ZodNullable<infer I extends z.ZodType>
    ? z.ZodNullable<Wire<I>>
    : T extends z.ZodOptional<infer I extends z.ZodType>
      ? z.ZodOptional<Wire<I>>
      : T extends z.ZodArray<infer I extends z.ZodType>
        ? z.ZodArray<Wire<I>>
        : T extends z.ZodObject<infer S>
          ? z.ZodObject<{ -readonly [K in keyof S]: S[K] extends z.ZodType ? Wire<S[K]> : never }>
          : T;

/**
 * The wire form of a DTO schema: every `z.date()` (in nested objects, arrays, nullable and
 * optional fields too) becomes a date-time string; everything else, and each part's `.meta`
 * description and example, stays as it is; a part without dates is used as it is. The `id` of a
 * converted part's meta is not copied (the DTO and its wire form can't share one name in the
 * OpenAPI document); a part listed in `refs` is replaced by its named wire schema.
 */
export function wireSchema<T extends z.ZodType>(schema: T, refs: WireRefs = new Map()): Wire<T> {
  return wire(schema, refs) as Wire<T>;
}

function wire(schema: z.ZodType, refs: WireRefs): z.ZodType {
  const named = refs.get(schema);
  if (named) return named;
  const converted = convert(schema, refs);
  if (converted === schema) return schema;
  const { id: _id, ...meta } = z.globalRegistry.get(schema) ?? {};
  return Object.keys(meta).length > 0 ? converted.meta(meta) : converted;
}

/** The part converted, or the part itself when nothing in it is a date (nor listed in `refs`). */
function convert(schema: z.ZodType, refs: WireRefs): z.ZodType {
  if (schema instanceof z.ZodDate) return dateTime;
  if (schema instanceof z.ZodNullable) return rewrap(schema, schema.unwrap() as z.ZodType, refs, (inner) => inner.nullable());
  if (schema instanceof z.ZodOptional) return rewrap(schema, schema.unwrap() as z.ZodType, refs, (inner) => inner.optional());
  if (schema instanceof z.ZodArray) return rewrap(schema, schema.element as z.ZodType, refs, (inner) => z.array(inner));
  if (schema instanceof z.ZodObject) {
    const fields = Object.entries(schema.shape as Record<string, z.ZodType>);
    const converted = fields.map(([key, field]) => [key, wire(field, refs)] as const);
    return converted.every(([, field], i) => field === fields[i]?.[1]) ? schema : z.object(Object.fromEntries(converted));
  }
  return schema;
}

function rewrap(schema: z.ZodType, inner: z.ZodType, refs: WireRefs, wrap: (inner: z.ZodType) => z.ZodType): z.ZodType {
  const converted = wire(inner, refs);
  return converted === inner ? schema : wrap(converted);
}

