/**
 * A structural check of JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it): every keyword is
 * one the draft (or OpenAPI's schema object) defines, and every keyword's value has the shape the
 * draft requires — subschemas are schemas, `required` is a list of unique strings, `type` names
 * JSON types, `pattern` compiles as an ECMA-262 regex, `$ref` resolves in the document.
 * No validator package needed; returns the problems as "path: message" lines.
 */
type Json = Record<string, unknown>;

const TYPES = new Set(["null", "boolean", "object", "array", "number", "integer", "string"]);
const SCHEMA_MAP = new Set(["properties", "patternProperties", "$defs", "dependentSchemas"]);
const SCHEMA_ONE = new Set(["items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema"]);
const SCHEMA_LIST = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const NON_NEGATIVE = new Set(["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains"]);
const NUMBERS = new Set(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"]);
const STRINGS = new Set(["$schema", "$id", "$anchor", "$dynamicRef", "$dynamicAnchor", "$comment", "title", "description", "format", "contentEncoding", "contentMediaType"]);
const BOOLEANS = new Set(["uniqueItems", "readOnly", "writeOnly", "deprecated"]);
const ANY = new Set(["const", "default", "example", "examples", "enum", "dependentRequired", "$vocabulary", "discriminator", "xml", "externalDocs"]);

export function lintJsonSchema(schema: unknown, root: unknown, at = "#"): string[] {
  const problems: string[] = [];
  const bad = (path: string, msg: string) => problems.push(`${path}: ${msg}`);
  if (typeof schema === "boolean") return problems;
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return [`${at}: a schema must be an object or a boolean`];
  for (const [k, v] of Object.entries(schema as Json)) {
    const p = `${at}/${k}`;
    if (k.startsWith("x-")) continue;
    if (SCHEMA_MAP.has(k)) {
      if (!v || typeof v !== "object" || Array.isArray(v)) bad(p, "must be an object of schemas");
      else for (const [name, sub] of Object.entries(v as Json)) problems.push(...lintJsonSchema(sub, root, `${p}/${name}`));
    } else if (SCHEMA_ONE.has(k)) {
      problems.push(...lintJsonSchema(v, root, p));
    } else if (SCHEMA_LIST.has(k)) {
      if (!Array.isArray(v) || v.length === 0) bad(p, "must be a non-empty array of schemas");
      else v.forEach((sub, i) => problems.push(...lintJsonSchema(sub, root, `${p}/${i}`)));
    } else if (k === "type") {
      const list = Array.isArray(v) ? v : [v];
      if (list.length === 0 || list.some((t) => typeof t !== "string" || !TYPES.has(t))) bad(p, `unknown type ${JSON.stringify(v)}`);
      if (new Set(list).size !== list.length) bad(p, "types must be unique");
    } else if (k === "required") {
      if (!Array.isArray(v) || v.some((x) => typeof x !== "string") || new Set(v).size !== v.length) bad(p, "must be unique strings");
      const props = (schema as Json).properties as Json | undefined;
      if (Array.isArray(v) && props) for (const name of v) if (!(name in props)) bad(p, `requires "${name}" but has no such property`);
    } else if (k === "enum") {
      if (!Array.isArray(v) || v.length === 0) bad(p, "must be a non-empty array");
    } else if (k === "pattern") {
      try {
        new RegExp(String(v), "u");
      } catch (e) {
        bad(p, `does not compile: ${(e as Error).message}`);
      }
      if (typeof v !== "string") bad(p, "must be a string");
    } else if (k === "$ref") {
      if (typeof v !== "string" || !v.startsWith("#/")) bad(p, "must be a local JSON pointer");
      else if (resolvePointer(root, v) === undefined) bad(p, `does not resolve: ${v}`);
    } else if (NON_NEGATIVE.has(k)) {
      if (!Number.isInteger(v) || (v as number) < 0) bad(p, "must be a non-negative integer");
    } else if (NUMBERS.has(k)) {
      if (typeof v !== "number") bad(p, "must be a number");
    } else if (STRINGS.has(k)) {
      if (typeof v !== "string") bad(p, "must be a string");
    } else if (BOOLEANS.has(k)) {
      if (typeof v !== "boolean") bad(p, "must be a boolean");
    } else if (!ANY.has(k)) {
      bad(p, "is not a JSON Schema 2020-12 keyword");
    }
  }
  const s = schema as Json;
  if (typeof s.minLength === "number" && typeof s.maxLength === "number" && s.minLength > s.maxLength) bad(at, "minLength > maxLength");
  if (typeof s.minimum === "number" && typeof s.maximum === "number" && s.minimum > s.maximum) bad(at, "minimum > maximum");
  return problems;
}

export function resolvePointer(root: unknown, ref: string): unknown {
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (!node || typeof node !== "object" || !(key in (node as Json))) return undefined;
    node = (node as Json)[key];
  }
  return node;
}
