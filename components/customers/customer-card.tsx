"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { archiveCustomerAction } from "@/app/_actions/customers";
import { Button } from "@/components/ui/button";
import { ConfirmForm } from "@/components/ui/confirm-form";
import { Badge, shortDate } from "@/components/ui/badge";
import { Notice } from "@/components/ui/notice";
import { actions, labels, Table } from "@/components/ui/table";
import type { ActionState } from "@/lib/server/action-state";
import { LicenseRow } from "./license-row";
import { NewLicenseForm } from "./new-license-form";
import type { CustomerView } from "./types";

const columns = labels("App", "Type", "Status", "Expires", "Last pull", "License ID", actions);

type Mode = "view" | "license" | "archive";

export function CustomerCard({ customer, apps, canWrite }: { customer: CustomerView; apps: { slug: string; name: string }[]; canWrite: boolean }) {
  const [mode, setMode] = useState<Mode>("view");
  const [archiveState, archive] = useActionState<ActionState, FormData>(archiveCustomerAction, { status: "idle" });
  const active = customer.licenses.filter((l) => l.status === "active").length;
  const archived = !!customer.archivedAt;

  return (
    <section aria-label={`Customer ${customer.name}`} className="rounded-lg border border-slate-200 bg-white shadow-sm">
      <header className="flex flex-wrap items-start justify-between gap-3 border-b border-slate-200 px-4 py-3">
        <div className="min-w-0">
          <h2 className="flex items-center gap-2 text-base font-semibold">
            {customer.name}
            {archived && <Badge>archived {shortDate(customer.archivedAt)}</Badge>}
          </h2>
          <p className="text-xs text-slate-600">
            {customer.email ?? "No contact email"} · customer since {shortDate(customer.createdAt)} · {active} active of {customer.licenses.length}{" "}
            {customer.licenses.length === 1 ? "license" : "licenses"} ·{" "}
            <Link href={`/customers/${customer.id}`} className="font-medium text-brand-700 hover:underline">
              Pulls and analytics
            </Link>
          </p>
        </div>
        {canWrite && !archived && mode === "view" && (
          <div className="flex gap-2">
            <Button onClick={() => setMode("license")}>New license</Button>
            <Button variant="ghost" className="text-red-700" onClick={() => setMode("archive")}>
              Archive
            </Button>
          </div>
        )}
      </header>

      {mode === "archive" && (
        <ConfirmForm
          action={archive}
          id={customer.id}
          size="card"
          className="m-4"
          question={
            <>
              Archive <strong>{customer.name}</strong>? {active > 0 ? `Its ${active} active ${active === 1 ? "license is" : "licenses are"} revoked at once: ` : ""}
              their clusters can no longer pull. Archived customers stay in the audit log and under “Show archived”.
            </>
          }
          confirmLabel="Archive customer"
          pendingText="Archiving…"
          onCancel={() => setMode("view")}
        >
          {archiveState.status === "error" && <Notice tone="error">{archiveState.message}</Notice>}
        </ConfirmForm>
      )}

      {mode === "license" && (
        <div className="px-4 pb-2">
          <NewLicenseForm customerId={customer.id} customerName={customer.name} apps={apps} onClose={() => setMode("view")} />
        </div>
      )}

      {customer.licenses.length === 0 ? (
        <p className="px-4 py-4 text-sm text-slate-600">
          No licenses yet.{canWrite && !archived ? " Issue one with “New license”: its ID is what the customer's cluster pulls with." : ""}
        </p>
      ) : (
        <div className="relative overflow-x-auto">
          <Table head="plain" columns={columns}>
            {customer.licenses.map((l) => (
              <LicenseRow key={l.id} license={l} canWrite={canWrite} />
            ))}
          </Table>
        </div>
      )}
    </section>
  );
}
