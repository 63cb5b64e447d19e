import { notFound } from "next/navigation";
import { ReferenceFrame } from "@/components/api-reference/frame";
import { Operation } from "@/components/api-reference/operation";
import { reference, tagHref, tagSlug } from "@/components/api-reference/reference";
import { portalBaseUrl, requireTeamContext } from "@/lib/server/request";

type Props = { params: Promise<{ tag: string }> };

async function tagOfPage(params: Props["params"], tags: string[]) {
  const { tag: slug } = await params;
  return tags.find((t) => tagSlug(t) === slug);
}

export async function generateMetadata({ params }: Props) {
  const tag = await tagOfPage(params, reference(await portalBaseUrl()).tags);
  return { title: tag ? `API reference: ${tag}` : "API reference" };
}

/** One group of operations of the vendor REST API (Apps, Licenses, …). */
export default async function ApiReferenceTagPage({ params }: Props) {
  await requireTeamContext();
  const base = await portalBaseUrl();
  const { doc, tags, opsOf } = reference(base);
  const tag = await tagOfPage(params, tags);
  if (!tag) notFound();
  return (
    <ReferenceFrame title={tag} current={tagHref(tag)} tags={tags} opsOf={opsOf}>
      <section id={tagSlug(tag)} className="space-y-4">
        <h2 className="sr-only">{tag}</h2>
        {opsOf(tag).map((o) => (
          <Operation key={String(o.op.operationId)} method={o.method} path={o.path} op={o.op} doc={doc} base={base} />
        ))}
      </section>
    </ReferenceFrame>
  );
}
