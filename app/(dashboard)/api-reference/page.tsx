import { ScrollingCode } from "@/components/ui/code-block";
import Link from "next/link";
import { ReferenceFrame } from "@/components/api-reference/frame";
import { reference, referencePath } from "@/components/api-reference/reference";
import { Prose } from "@/components/api-reference/schema";
import { portalBaseUrl, requireTeamContext } from "@/lib/server/request";

export const metadata = { title: "API reference" };

/** The vendor REST API, rendered from the same OpenAPI document that /api/v1/openapi.json serves: the overview and an index of every operation. */
export default async function ApiReferencePage() {
  await requireTeamContext();
  const base = await portalBaseUrl();
  const { tags, opsOf } = reference(base);
  return (
    <ReferenceFrame current={referencePath} tags={tags} opsOf={opsOf}>
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
        <p>Each group of operations has its own page, listed beside this text; the request and response schemas they share are under Schemas.</p>
      </section>
    </ReferenceFrame>
  );
}
