import { PageHeader } from "@/components/ui/card";
import { opHref, referencePath, tagHref, type Op } from "./reference";

const sectionLink = "block py-1 font-medium text-slate-800 hover:text-brand-600 aria-[current=page]:text-brand-700";
/** An operation's link in the index (every API reference page lists them all): styled once, from the index, not on each link. */
const opLinks =
  "[&_.op]:flex [&_.op]:min-h-6 [&_.op]:items-center [&_.op]:pl-3 [&_.op]:text-xs [&_.op]:text-slate-600 [&_.op:hover]:text-brand-700 [&_.op>:first-child]:inline-block [&_.op>:first-child]:w-14 [&_.op>:first-child]:shrink-0 [&_.op>:first-child]:font-mono [&_.op>:first-child]:uppercase";

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
        <nav aria-label="API sections" className={`min-w-0 text-sm [overflow-wrap:anywhere] lg:sticky lg:top-6 lg:self-start ${opLinks}`}>
          <a href={referencePath} aria-current={current === referencePath ? "page" : undefined} className={sectionLink}>
            Overview
          </a>
          {tags.map((tag) => (
            <div key={tag} className="mt-3">
              <a href={tagHref(tag)} aria-current={current === tagHref(tag) ? "page" : undefined} className={sectionLink}>
                {tag}
              </a>
              {opsOf(tag).map((o) => (
                <a key={String(o.op.operationId)} href={opHref(o)} className="op">
                  <span>{o.method}</span>
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
