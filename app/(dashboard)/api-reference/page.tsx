import { ScrollingCode } from "@/components/ui/code-block";
import Link from "next/link";
import { PageHeader } from "@/components/ui/card";
import { Operation } from "@/components/api-reference/operation";
import { FieldsTable, Prose, schemaAnchor, type Json } from "@/components/api-reference/schema";
import { openApiDocument } from "@/lib/api/openapi";
import { portalBaseUrl, requireTeamContext } from "@/lib/server/request";

export const metadata = { title: "API reference" };

const slug = (tag: string) => tag.toLowerCase().replace(/[^a-z0-9]+/g, "-");

/** The vendor REST API, rendered from the same OpenAPI document that /api/v1/openapi.json serves. */
export default async function ApiReferencePage() {
  await requireTeamContext();
  const base = await portalBaseUrl();
  const doc = openApiDocument({ serverUrl: base }) as Json;
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const ops = Object.entries(paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
  const tags = ((doc.tags as { name: string }[]) ?? []).map((t) => t.name);
  const schemas = (doc.components as Json).schemas as Record<string, Json>;
  return (
    <>
      <PageHeader
        title="API reference"
        description="The vendor REST API for CI and automation: apps, registries, customers, licenses and the audit log."
        actions={
          <a href="/api/v1/openapi.json" className="text-sm font-medium text-brand-700 underline underline-offset-2">
            openapi.json (OpenAPI 3.1)
          </a>
        }
      />
      <div className="grid gap-8 lg:grid-cols-[14rem_1fr]">
        <nav aria-label="API sections" className="min-w-0 text-sm [overflow-wrap:anywhere] lg:sticky lg:top-6 lg:self-start">
          <a href="#overview" className="block py-1 font-medium text-slate-800 hover:text-brand-600">
            Overview
          </a>
          {tags.map((tag) => (
            <div key={tag} className="mt-3">
              <a href={`#${slug(tag)}`} className="block py-1 font-medium text-slate-800 hover:text-brand-600">
                {tag}
              </a>
              {ops
                .filter((o) => (o.op.tags as string[])[0] === tag)
                .map((o) => (
                  <a key={String(o.op.operationId)} href={`#${String(o.op.operationId)}`} className="flex min-h-6 items-center pl-3 text-xs text-slate-600 hover:text-brand-700">
                    <span className="inline-block w-14 font-mono uppercase">{o.method}</span>
                    {String(o.op.summary)}
                  </a>
                ))}
            </div>
          ))}
          <a href="#schemas" className="mt-3 block py-1 font-medium text-slate-800 hover:text-brand-600">
            Schemas
          </a>
        </nav>

        <div className="min-w-0 space-y-10 [overflow-wrap:anywhere]">
          <section id="overview" className="space-y-3 text-sm text-slate-700">
            <h2 className="text-lg font-semibold text-slate-900">Overview</h2>
            <p>
              Base URL <code className="rounded bg-slate-100 px-1 font-mono">{base}/api/v1</code>. Send JSON, get JSON. Authenticate every request with an API
              token from the <Link href="/tokens" className="text-brand-700 underline underline-offset-2">Tokens page</Link>:
            </p>
            <ScrollingCode label="Example request" className="rounded-md bg-slate-900 p-3">{`export PORTCULLIS_TOKEN=pcs_…   # a service account's token
curl -H "Authorization: Bearer $PORTCULLIS_TOKEN" ${base}/api/v1/apps`}</ScrollingCode>
            <p>
              A token acts with its role: read-only tokens can list but not change anything (<code className="font-mono">403</code>). Another team&apos;s
              records don&apos;t exist for your token (<code className="font-mono">404</code>). Errors always look like this, with per-field messages for{" "}
              <code className="font-mono">422</code>:
            </p>
            <ScrollingCode label="Example error" className="rounded-md bg-slate-900 p-3">
              {`{"error": {"code": "validation_failed", "message": "Some fields need attention.", "fields": {"name": "Enter a name."}}}`}
            </ScrollingCode>
            <p>
              <Prose text="Codes: `unauthenticated` 401, `forbidden` 403, `not_found` 404, `conflict` 409, `validation_failed` 422, `internal` 500 (never with details)." />
            </p>
          </section>

          {tags.map((tag) => (
            <section key={tag} id={slug(tag)} className="scroll-mt-6 space-y-4">
              <h2 className="text-lg font-semibold">{tag}</h2>
              {ops
                .filter((o) => (o.op.tags as string[])[0] === tag)
                .map((o) => (
                  <Operation key={String(o.op.operationId)} method={o.method} path={o.path} op={o.op} doc={doc} base={base} />
                ))}
            </section>
          ))}

          <section id="schemas" className="scroll-mt-6 space-y-4">
            <h2 className="text-lg font-semibold">Schemas</h2>
            {Object.entries(schemas).map(([name, schema]) => (
              <article key={name} id={schemaAnchor(name)} className="scroll-mt-6 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
                <h3 className="mb-2 font-mono text-sm font-semibold">{name}</h3>
                <FieldsTable schema={schema} doc={doc} />
              </article>
            ))}
          </section>
        </div>
      </div>
    </>
  );
}
