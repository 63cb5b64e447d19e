import { PageHeader, EmptyState } from "@/components/ui/card";

/** An honest placeholder for a section that is planned but not built yet. */
export function ComingSoon({ title, description, what }: { title: string; description: string; what: string }) {
  return (
    <>
      <PageHeader title={title} description={description} />
      <EmptyState title="Coming soon">
        <p>{what}</p>
        <p className="mt-2">This section is not built yet. Nothing here is stored or sent anywhere.</p>
      </EmptyState>
    </>
  );
}
