import { PageHeader } from "@/components/ui/card";
import { opHref, referencePath, tagHref, type Op } from "./reference";

const sectionLink = "block py-1 font-medium text-slate-800 hover:text-brand-600 aria-[current=page]:text-brand-700";

/**
 * The API reference's pages: a header and, beside the page's content, an index of every tag and
 * operation. Each tag has its own page, so no page carries the whole document.
 */
export function ReferenceFrame({ title, current, tags, opsOf, children }: { title?: string; current: string; tags: string[]; opsOf: (tag: string) => Op[]; children: React.ReactNode }) {
  return (
    <>
      <PageHeader
        title={title ? `API reference: ${title}` : "API reference"}
        description="The vendor REST API for CI and automation: apps, registries, customers, licenses and the audit log."
        back={title ? { href: referencePath, label: "API reference" } : undefined}
        actions={
          <a href="/api/v1/openapi.json" className="text-sm font-medium text-brand-700 underline underline-offset-2">
            openapi.json (OpenAPI 3.1)
          </a>
        }
      />
      <div className="grid gap-8 lg:grid-cols-[14rem_1fr]">
        <nav aria-label="API sections" className="min-w-0 text-sm [overflow-wrap:anywhere] lg:sticky lg:top-6 lg:self-start">
          <a href={referencePath} aria-current={current === referencePath ? "page" : undefined} className={sectionLink}>
            Overview
          </a>
          {tags.map((tag) => (
            <div key={tag} className="mt-3">
              <a href={tagHref(tag)} aria-current={current === tagHref(tag) ? "page" : undefined} className={sectionLink}>
                {tag}
              </a>
              {opsOf(tag).map((o) => (
                <a key={String(o.op.operationId)} href={opHref(o)} className="flex min-h-6 items-center pl-3 text-xs text-slate-600 hover:text-brand-700">
                  <span className="inline-block w-14 shrink-0 font-mono uppercase">{o.method}</span>
                  <span>{String(o.op.summary)}</span>
                </a>
              ))}
            </div>
          ))}
          <a href={`${referencePath}/schemas`} aria-current={current === `${referencePath}/schemas` ? "page" : undefined} className={`mt-3 ${sectionLink}`}>
            Schemas
          </a>
        </nav>
        <div className="min-w-0 space-y-10 [overflow-wrap:anywhere]">{children}</div>
      </div>
    </>
  );
}
