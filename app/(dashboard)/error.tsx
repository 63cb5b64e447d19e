"use client";

import { Button } from "@/components/ui/button";

/** Shown when a page fails on the server: no details leak, and the user can retry. */
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-white p-6">
      <h1 className="text-lg font-semibold">This page could not be loaded</h1>
      <p className="mt-1 text-sm text-slate-600">
        Something went wrong on our side. Try again; if it keeps happening, give your operator this reference:{" "}
        <code>{error.digest ?? "n/a"}</code>.
      </p>
      <Button className="mt-4" onClick={reset}>
        Try again
      </Button>
    </div>
  );
}
