import Link from "next/link";
import { buttonClass } from "@/components/ui/button-class";
import { SelectField, type Option } from "@/components/ui/field";
import type { PullActivityQuery } from "@/lib/activity/schemas";

const RESULT_OPTIONS: Option[] = [
  { value: "pulled", label: "Pulled" },
  { value: "refused", label: "Refused" },
  { value: "incomplete", label: "Incomplete" },
];

/**
 * The filters of a pull attempts list: a plain GET form (works without JavaScript, every control
 * labelled), its choices the team's apps, customers or licenses. Absent choices: no such select.
 */
export function PullFilters({
  action,
  query,
  apps,
  customers,
  licenses,
  keep = {},
}: {
  /** The page the form submits to (its own). */
  action: string;
  query: Partial<PullActivityQuery>;
  apps?: Option[];
  customers?: Option[];
  licenses?: Option[];
  /** Other query parameters of the page to keep (e.g. a tab). */
  keep?: Record<string, string>;
}) {
  return (
    <form method="get" action={action} role="search" aria-label="Filter pull attempts" className="flex flex-wrap items-end gap-3 px-4 pt-3">
      {Object.entries(keep).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {apps && (
        <SelectField label="App" name="appId" defaultValue={query.appId ?? ""} options={apps} className="w-full sm:w-44">
          <option value="">All apps</option>
        </SelectField>
      )}
      {customers && (
        <SelectField label="Customer" name="customerId" defaultValue={query.customerId ?? ""} options={customers} className="w-full sm:w-48">
          <option value="">All customers</option>
        </SelectField>
      )}
      {licenses && (
        <SelectField label="License" name="licenseId" defaultValue={query.licenseId ?? ""} options={licenses} className="w-full sm:w-48">
          <option value="">All licenses</option>
        </SelectField>
      )}
      <SelectField label="Result" name="result" defaultValue={query.result ?? ""} options={RESULT_OPTIONS} className="w-full sm:w-40">
        <option value="">Any result</option>
      </SelectField>
      <button type="submit" className={buttonClass("secondary")}>
        Filter
      </button>
      <Link href={action + (Object.keys(keep).length ? `?${new URLSearchParams(keep)}` : "")} className="rounded py-2 text-sm font-medium text-brand-700 hover:underline focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-100">
        Clear
      </Link>
    </form>
  );
}
