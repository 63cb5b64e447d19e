import Link from "next/link";
import { PageHeader } from "@/components/ui/card";
import { CustomerAnalyticsView } from "@/components/analytics/customer-analytics";
import { PullActivityList } from "@/components/activity/pull-activity-list";
import { PullFilters } from "@/components/activity/pull-filters";
import { getCustomer } from "@/lib/customers/operations";
import { getCustomerAnalytics, listPullActivity } from "@/lib/activity/operations";
import { pullActivityQuerySchema } from "@/lib/activity/schemas";
import { invoke } from "@/lib/server/operation";
import { requireTeamContext } from "@/lib/server/request";

export const metadata = { title: "Customer deliveries" };

const PERIODS = [7, 30, 90] as const;

/** One customer: what they pulled (per day, per image, which versions) and every attempt, with its result. */
export default async function CustomerPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const ctx = await requireTeamContext();
  const { id } = await params;
  const sp = await searchParams;
  const days = PERIODS.find((d) => String(d) === sp.days) ?? 30;
  // A hand-edited query string falls back to no filter rather than an error page.
  const parsed = pullActivityQuerySchema.safeParse({ licenseId: sp.licenseId, result: sp.result, page: sp.page });
  const query = parsed.success ? parsed.data : pullActivityQuerySchema.parse({});
  const customer = await invoke(getCustomer, ctx, { id });
  const licenseOwned = !query.licenseId || customer.licenses.some((l) => l.id === query.licenseId);
  const filter = { ...query, customerId: customer.id, ...(!licenseOwned && { licenseId: undefined }) };
  const [analytics, attempts] = await Promise.all([invoke(getCustomerAnalytics, ctx, { id, days }), invoke(listPullActivity, ctx, filter)]);

  const base = `/customers/${customer.id}`;
  const keep = { days: String(days) };
  const pageHref = (page: number) => `${base}?${new URLSearchParams({ ...keep, ...(filter.licenseId && { licenseId: filter.licenseId }), ...(filter.result && { result: filter.result }), page: String(page) })}`;
  return (
    <>
      <PageHeader
        back={{ href: "/customers", label: "Customers" }}
        title={customer.name}
        description="What this customer pulled through the proxy: per day, per image, which versions, and every attempt with its result."
        actions={
          <nav aria-label="Period" className="flex gap-1 text-sm">
            {PERIODS.map((d) => (
              <Link
                key={d}
                href={`${base}?days=${d}`}
                aria-current={d === days ? "page" : undefined}
                className={`rounded-md px-2.5 py-1 font-medium ${d === days ? "bg-brand-600 text-white" : "text-slate-700 hover:bg-slate-100"}`}
              >
                {d} days
              </Link>
            ))}
          </nav>
        }
      />
      <CustomerAnalyticsView data={analytics} />
      <div className="mt-6">
        <PullActivityList
          page={attempts}
          title="Pull attempts"
          empty={filter.licenseId || filter.result ? "No attempts match these filters." : "No attempts yet. Every pull this customer makes through the proxy, refused ones included, is listed here."}
          pageHref={pageHref}
          filters={
            <PullFilters
              action={base}
              keep={keep}
              query={filter}
              licenses={customer.licenses.map((l) => ({ value: l.id, label: `${l.appSlug} …${l.hint}` }))}
            />
          }
        />
      </div>
    </>
  );
}
