import { ReferenceFrame } from "@/components/api-reference/frame";
import { reference, referencePath } from "@/components/api-reference/reference";
import { FieldsTable, schemaAnchor } from "@/components/api-reference/schema";
import { portalBaseUrl, requireTeamContext } from "@/lib/server/request";

export const metadata = { title: "API reference: Schemas" };

/** The named request and response schemas of the vendor REST API, each shown once; operations link here. */
export default async function ApiReferenceSchemasPage() {
  await requireTeamContext();
  const base = await portalBaseUrl();
  const { doc, tags, opsOf, schemas } = reference(base);
  return (
    <ReferenceFrame title="Schemas" current={`${referencePath}/schemas`} tags={tags} opsOf={opsOf}>
      <section id="schemas" className="space-y-4">
        <h2 className="sr-only">Schemas</h2>
        {Object.entries(schemas).map(([name, schema]) => (
          <article key={name} id={schemaAnchor(name)} className="scroll-mt-6 rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
            <h3 className="mb-2 font-mono text-sm font-semibold">{name}</h3>
            <FieldsTable schema={schema} doc={doc} />
          </article>
        ))}
      </section>
    </ReferenceFrame>
  );
}
