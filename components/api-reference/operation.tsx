import { ScrollingCode } from "@/components/ui/code-block";
import { Table, type Column } from "@/components/ui/table";
import { FieldsTable, Prose, resolve, TypeLabel, type Json } from "./schema";

const methodTone: Record<string, string> = {
  get: "bg-emerald-100 text-emerald-800",
  post: "bg-brand-100 text-brand-700",
  patch: "bg-amber-100 text-amber-900",
  delete: "bg-red-100 text-red-800",
};

const paramColumns: Column<Json>[] = [
  {
    label: "Name",
    className: "pr-4",
    cellClassName: "py-1.5 pr-4 font-mono text-xs",
    cell: (p) => (
      <>
        {String(p.name)}
        {p.required ? <span className="ml-1 text-red-600" title="required">*</span> : null}
      </>
    ),
  },
  { label: "In", className: "pr-4", cellClassName: "py-1.5 pr-4 text-xs text-slate-500", cell: (p) => String(p.in) },
  { label: "Type", className: "pr-4", cellClassName: "py-1.5 pr-4 text-xs", cell: (p) => <TypeLabel schema={p.schema as Json} /> },
  { label: "Description", cellClassName: "py-1.5 text-xs text-slate-700", cell: (p) => (typeof p.description === "string" ? <Prose text={p.description} /> : null) },
];

/** A request body example: required fields with their example or a placeholder; the first variant of a union. */
function exampleOf(schema: Json, doc: Json): unknown {
  const s = resolve(schema, doc);
  const alts = (s.oneOf ?? s.anyOf) as Json[] | undefined;
  if (alts?.length) return exampleOf(alts.find((a) => !(a.const === "")) ?? alts[0]!, doc);
  if ("example" in s) return s.example;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (s.properties) {
    const required = new Set((s.required as string[] | undefined) ?? []);
    return Object.fromEntries(
      Object.entries(s.properties as Record<string, Json>)
        .filter(([k]) => required.has(k))
        .map(([k, v]) => [k, exampleOf(v, doc)]),
    );
  }
  if (s.type === "boolean") return true;
  if (s.type === "integer" || s.type === "number") return 1;
  return "…";
}

function curlOf(method: string, path: string, op: Json, doc: Json, base: string): string {
  const url = `${base}/api/v1${path.replace(/\{(\w+)\}/g, (_m, p: string) => `<${p}>`)}`;
  const lines = [`curl${method === "get" ? "" : ` -X ${method.toUpperCase()}`} ${url} \\`, `  -H "Authorization: Bearer $PORTCULLIS_TOKEN"`];
  const body = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.["application/json"] as Json | undefined;
  if (body) {
    lines[lines.length - 1] += " \\";
    lines.push(`  -H "Content-Type: application/json" \\`, `  -d '${JSON.stringify(exampleOf(body.schema as Json, doc))}'`);
  }
  return lines.join("\n");
}

export function Operation({ method, path, op, doc, base }: { method: string; path: string; op: Json; doc: Json; base: string }) {
  const params = (op.parameters as Json[] | undefined) ?? [];
  const body = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.["application/json"] as Json | undefined;
  const responses = Object.entries(op.responses as Record<string, Json>);
  const [okStatus, ok] = responses.find(([s]) => s.startsWith("2"))!;
  const okContent = Object.entries((ok.content as Record<string, Json>) ?? {})[0];
  const errors = responses.filter(([s]) => !s.startsWith("2"));
  return (
    <article id={String(op.operationId)} className="scroll-mt-6 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
      <h3 className="flex flex-wrap items-center gap-2 text-base font-semibold">
        <span className={`rounded px-2 py-0.5 font-mono text-xs font-bold uppercase ${methodTone[method] ?? ""}`}>{method}</span>
        <code className="font-mono text-sm">/api/v1{path}</code>
        <span className="font-normal text-slate-600">— {String(op.summary)}</span>
      </h3>
      {typeof op.description === "string" && (
        <div className="mt-2 space-y-1 text-sm text-slate-700">
          {op.description.split("\n\n").map((p, i) => (
            <p key={i}>
              <Prose text={p} />
            </p>
          ))}
        </div>
      )}

      {params.length > 0 && (
        <section className="mt-4">
          <h4 className="mb-1 text-sm font-semibold">Parameters</h4>
          <Table head="bare" columns={paramColumns} rows={params} rowKey={(p) => `${String(p.in)}-${String(p.name)}`} headCellClassName="py-1" bodyClassName="align-top" />
        </section>
      )}

      {body && (
        <section className="mt-4">
          <h4 className="mb-1 text-sm font-semibold">Request body (JSON)</h4>
          <FieldsTable schema={body.schema as Json} doc={doc} />
        </section>
      )}

      <section className="mt-4">
        <h4 className="mb-1 text-sm font-semibold">
          Response {okStatus}
          {okContent && (
            <span className="font-normal text-slate-600">
              {" "}
              · {okContent[0]}
              {okContent[0] === "application/json" && (
                <>
                  {" "}
                  · <TypeLabel schema={okContent[1].schema as Json} />
                </>
              )}
            </span>
          )}
        </h4>
        {/* A named schema is linked from the heading and shown once, under Schemas; an inline one (a list's `data`) is shown here. */}
        {okContent?.[0] === "application/json" && typeof (okContent[1].schema as Json).$ref !== "string" && <FieldsTable schema={okContent[1].schema as Json} doc={doc} />}
      </section>

      <section className="mt-4">
        <h4 className="mb-1 text-sm font-semibold">Errors</h4>
        <ul className="space-y-0.5 text-xs text-slate-700">
          {errors.map(([status, r]) => (
            <li key={status}>
              <span className="mr-2 font-mono font-semibold">{status}</span>
              <Prose text={String(r.description)} />
            </li>
          ))}
        </ul>
      </section>

      <ScrollingCode label={`Example: ${method.toUpperCase()} ${path}`} className="mt-4 rounded-md bg-slate-900 p-3">
        {curlOf(method, path, op, doc, base)}
      </ScrollingCode>
    </article>
  );
}
