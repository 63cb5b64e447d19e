/** Renders JSON Schema (as in the generated OpenAPI document) as readable tables. Server-only, no state. */
import { Fragment } from "react";
import { Table, type Column } from "@/components/ui/table";

export type Json = Record<string, unknown>;

export const schemaAnchor = (name: string) => `schema-${name}`;
/** Schemas have a page of their own; operations link to them there. */
export const schemaHref = (name: string) => `/api-reference/schemas#${schemaAnchor(name)}`;
const refName = (ref: string) => ref.split("/").pop()!;

export function resolve(schema: Json, doc: Json): Json {
  if (typeof schema.$ref === "string") {
    const name = refName(schema.$ref);
    return ((doc.components as Json).schemas as Record<string, Json>)[name] ?? {};
  }
  return schema;
}

/** Variants worth showing: the "" form-only alternative of optional fields is noise in an API. */
const variants = (s: Json) => ((s.oneOf ?? s.anyOf) as Json[] | undefined)?.filter((v) => !(v.const === "" && v.type === "string"));

export function TypeLabel({ schema }: { schema: Json }): React.ReactNode {
  if (typeof schema.$ref === "string") {
    const name = refName(schema.$ref);
    return (
      <a href={schemaHref(name)} className="text-brand-700 underline underline-offset-2">
        {name}
      </a>
    );
  }
  const alts = variants(schema);
  if (alts) {
    return alts.map((v, i) => (
      <Fragment key={i}>
        {i > 0 && " or "}
        <TypeLabel schema={v} />
      </Fragment>
    ));
  }
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ");
  if ("const" in schema) return JSON.stringify(schema.const);
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : schema.type ? [schema.type as string] : [];
  if (types.includes("array") && schema.items) {
    return (
      <>
        <TypeLabel schema={schema.items as Json} />
        []
      </>
    );
  }
  const base = types.length ? types.join(" or ") : "any";
  return schema.format ? `${base} (${String(schema.format)})` : base;
}

function constraints(s: Json): string[] {
  const out: string[] = [];
  if (typeof s.minLength === "number" && typeof s.maxLength === "number") out.push(`${s.minLength}–${s.maxLength} characters`);
  else if (typeof s.maxLength === "number") out.push(`at most ${s.maxLength} characters`);
  else if (typeof s.minLength === "number" && s.minLength > 0) out.push(`at least ${s.minLength} characters`);
  if (typeof s.minimum === "number" && typeof s.maximum === "number") out.push(`${s.minimum}–${s.maximum}`);
  if (typeof s.pattern === "string") out.push(`pattern ${s.pattern}`);
  if ("default" in s) out.push(`default ${JSON.stringify(s.default)}`);
  if ("example" in s) out.push(`e.g. ${JSON.stringify(s.example)}`);
  return out;
}

/** A field's description, rendering `code` spans. */
export function Prose({ text }: { text: string }) {
  return (
    <>
      {text.split(/(`[^`]+`)/g).map((part, i) =>
        part.startsWith("`") && part.endsWith("`") ? (
          <code key={i} className="rounded bg-slate-100 px-1 font-mono text-[0.85em]">
            {part.slice(1, -1)}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}

type Property = [name: string, schema: Json, required: boolean];

/** The cells' classes, once on the table rather than on each of its (hundreds of) cells: field names in code type, descriptions in grey. */
const fieldCells = "[&_td]:py-1.5 [&_td]:text-xs [&_td:not(:last-child)]:pr-4 [&_td:first-child]:font-mono [&_td:last-child]:text-slate-700";

const fieldColumns: Column<Property>[] = [
  {
    label: "Field",
    className: "pr-4",
    cell: ([name, , required]) => (
      <>
        {name}
        {required ? <span className="ml-1 text-red-600" title="required">*</span> : <span className="ml-1 text-slate-500">optional</span>}
      </>
    ),
  },
  { label: "Type", className: "pr-4", cell: ([, p]) => <TypeLabel schema={p} /> },
  {
    label: "Description",
    cell: ([, p]) => (
      <>
        {typeof p.description === "string" && <Prose text={p.description} />}
        {constraints(p).length > 0 && <span className="block text-slate-500">{constraints(p).join(" · ")}</span>}
      </>
    ),
  },
];

/** What a schema's table holds, for its collapsed summary: "3 fields", "2 variants". */
export function fieldSummary(schema: Json, doc: Json): string {
  const s = resolve(schema, doc);
  const alts = variants(s);
  if (alts && alts.every((v) => resolve(v, doc).properties)) return `${alts.length} variants`;
  const n = Object.keys((s.properties as Record<string, Json> | undefined) ?? {}).length;
  return n === 0 ? "" : `${n} field${n === 1 ? "" : "s"}`;
}

/** The properties of an object schema as a table (a union of objects as one table per variant). */
export function FieldsTable({ schema, doc }: { schema: Json; doc: Json }) {
  const s = resolve(schema, doc);
  const alts = variants(s);
  if (alts && alts.every((v) => resolve(v, doc).properties)) {
    return (
      <div className="space-y-3">
        {alts.map((v, i) => {
          const r = resolve(v, doc);
          const tag = Object.entries((r.properties as Record<string, Json>) ?? {}).find(([, p]) => "const" in p);
          return (
            <div key={i}>
              <p className="mb-1 text-xs font-medium text-slate-600">{tag ? `With ${tag[0]}: ${JSON.stringify(tag[1].const)}` : `Variant ${i + 1}`}</p>
              <FieldsTable schema={r} doc={doc} />
            </div>
          );
        })}
      </div>
    );
  }
  const props = (s.properties as Record<string, Json> | undefined) ?? {};
  const required = new Set((s.required as string[] | undefined) ?? []);
  if (Object.keys(props).length === 0) {
    return (
      <p className="text-sm text-slate-700">
        <TypeLabel schema={s} />
      </p>
    );
  }
  return (
    <Table head="bare" columns={fieldColumns} rows={Object.entries(props).map(([name, p]): Property => [name, p, required.has(name)])} rowKey={([name]) => name} headCellClassName="py-1" className={fieldCells} bodyClassName="align-top" />
  );
}
