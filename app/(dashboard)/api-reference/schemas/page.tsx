import { ReferenceFrame } from "@/components/api-reference/frame";
import { reference, referencePath } from "@/components/api-reference/reference";
import { OpenAnchorTarget } from "@/components/api-reference/open-target";
import { fieldSummary, FieldsTable, schemaAnchor } from "@/components/api-reference/schema";
import { portalBaseUrl, requireTeamContext } from "@/lib/server/request";

export const metadata = { title: "API reference: Schemas" };

/**
 * The named request and response schemas of the vendor REST API, each shown once; operations link
 * here. Each schema's fields are collapsed under its name (the page stays light on a phone); the
 * one a link points to opens, and the browser's find-in-page opens the ones it finds text in.
 */
export default async function ApiReferenceSchemasPage() {
  await requireTeamContext();
  const base = await portalBaseUrl();
  const { doc, tags, opsOf, schemas } = reference(base);
  return (
    <ReferenceFrame title="Schemas" current={`${referencePath}/schemas`} tags={tags} opsOf={opsOf}>
      <section id="schemas" className="space-y-4">
        <h2 className="sr-only">Schemas</h2>
        {Object.entries(schemas).map(([name, schema]) => (
          <article key={name} id={schemaAnchor(name)} className="scroll-mt-6 rounded-lg border border-slate-200 bg-white shadow-sm">
            <details className="group">
              <summary className="flex cursor-pointer list-none flex-wrap items-baseline gap-x-3 gap-y-1 px-5 py-3 [&::-webkit-details-marker]:hidden">
                <span aria-hidden className="text-slate-500 transition-transform group-open:rotate-90">
                  ▸
                </span>
                <h3 className="font-mono text-sm font-semibold">{name}</h3>
                <span className="text-xs text-slate-600">{fieldSummary(schema, doc)}</span>
              </summary>
              <div className="border-t border-slate-200 px-5 pb-5 pt-3">
                <FieldsTable schema={schema} doc={doc} />
              </div>
            </details>
          </article>
        ))}
      </section>
      <OpenAnchorTarget />
    </ReferenceFrame>
  );
}
