"use client";

import dynamic from "next/dynamic";
import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";
import { Dialog, DialogBody } from "@/components/ui/dialog";
import { Menu } from "@/components/ui/menu";
import { Notice } from "@/components/ui/notice";
import { RelativeTime } from "@/components/ui/relative-time";
import { actions, Table, type Column } from "@/components/ui/table";
import type { ProviderView } from "@/lib/registries/providers/types";
import { testVerdict } from "@/lib/registries/test-verdict";
import { AddRegistryButton } from "./add-registry-dialog";
import { CacheSummary } from "./cache-summary";
import type { Abilities, RegistryRow } from "./types";

const loading = () => (
  <DialogBody>
    <p className="text-sm text-slate-600">Loading…</p>
  </DialogBody>
);

/**
 * The cache settings dialog checks its form with the server's schema (zod) before sending: its
 * code loads when a pointer or focus reaches a Cache settings button, not with the page.
 */
const loadCacheSettings = () => import("./cache-settings-dialog");
const CacheSettingsDialogBody = dynamic(() => loadCacheSettings().then((m) => m.CacheSettingsDialogBody), { loading });

/** The other dialogs of a row (test, rotate, edit, delete) likewise load when a pointer or focus reaches the row's Test or More button. */
const loadDialogs = () => import("./registry-dialogs");
const TestDialogBody = dynamic(() => loadDialogs().then((m) => m.TestDialogBody), { loading });
const RotateDialogBody = dynamic(() => loadDialogs().then((m) => m.RotateDialogBody), { loading });
const RenameDialogBody = dynamic(() => loadDialogs().then((m) => m.RenameDialogBody), { loading });
const DeleteDialogBody = dynamic(() => loadDialogs().then((m) => m.DeleteDialogBody), { loading });

const columns: Column[] = [{ label: "Endpoint", className: "pl-4" }, { label: "Username" }, { label: "Last test" }, { label: "Cache" }, { label: "Added by · credentials" }, { label: actions, className: "pr-4" }];

type DialogKind = "test" | "rotate" | "rename" | "delete" | "cache";

/** The external registries: the table, its per-row dialogs and the add dialog. */
export function RegistriesSection({
  registries,
  providers,
  abilities,
  proxyHost,
  openAdd,
}: {
  registries: RegistryRow[];
  /** The registry providers (lib/registries/providers): the add dialog's tabs, the rotation dialog's fields. */
  providers: readonly ProviderView[];
  abilities: Abilities;
  proxyHost: string;
  /** Open the add dialog on this provider's tab right away (`/images?add=ecr`). */
  openAdd?: string;
}) {
  const [flash, setFlash] = useState<string | null>(null);
  const [open, setOpen] = useState<{ kind: DialogKind; id: string } | null>(null);
  const current = open ? registries.find((r) => r.id === open.id) : undefined;
  const close = () => setOpen(null);
  const done = (message?: string) => {
    setOpen(null);
    if (message) setFlash(message);
  };

  return (
    <section aria-labelledby="registries-heading" className="mb-10">
      <div className="mb-3 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="registries-heading" className="text-lg font-semibold">
            External registries
          </h2>
          <p className="mt-0.5 max-w-2xl text-sm text-slate-600">
            Where your images live. Every app of this team can pull from every registry here, through the proxy, with these credentials.
          </p>
        </div>
        {abilities.canWrite && registries.length > 0 && <AddRegistryButton providers={providers} proxyHost={proxyHost} onAdded={setFlash} openOn={openAdd} />}
      </div>

      {flash && (
        <Notice tone="success" className="mb-3">
          {flash}
        </Notice>
      )}

      {registries.length === 0 ? (
        <EmptyState
          title="No external registries yet"
          action={abilities.canWrite ? <AddRegistryButton providers={providers} proxyHost={proxyHost} onAdded={setFlash} label="Add your first registry" openOn={openAdd} /> : undefined}
        >
          {abilities.canWrite
            ? "Add the registry your images live in — Docker Hub, Amazon ECR, Google Artifact Registry, GHCR, Quay, Artifactory, Harbor or any OCI registry. Its credentials are encrypted and never shown again."
            : "An admin or developer of this team has not added a registry yet."}
        </EmptyState>
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <Table label="External registries" columns={columns} headCellClassName="px-3 py-2 font-medium tracking-wide" bodyClassName="align-top">
            {registries.map((r) => (
              <RegistryTableRow key={r.id} r={r} abilities={abilities} open={(kind) => setOpen({ kind, id: r.id })} />
            ))}
          </Table>
        </div>
      )}

      {current && (
        <>
          <Dialog open={open?.kind === "test"} onClose={close} title={`Test ${current.host}`} wide description="GET /v2/, the registry's authentication and, with an image, its manifest — the requests the proxy makes.">
            <TestDialogBody r={current} canTest={abilities.canWrite} />
          </Dialog>
          <Dialog open={open?.kind === "rotate"} onClose={close} title={`Rotate credentials of ${current.host}`} wide description="The new credentials are tested first and replace the old ones only if the test passes.">
            <RotateDialogBody r={current} fields={providers.find((p) => p.id === current.provider)?.fields ?? []} onDone={done} onCancel={close} />
          </Dialog>
          <Dialog open={open?.kind === "rename"} onClose={close} title={`Edit ${current.host}`}>
            <RenameDialogBody r={current} proxyHost={proxyHost} onDone={done} onCancel={close} />
          </Dialog>
          <Dialog
            open={open?.kind === "cache"}
            onClose={close}
            title={`Cache settings of ${current.host}`}
            description="The proxy keeps a copy of every layer and manifest it relays from this registry: each upstream byte is fetched once, and customers keep pulling while the registry is down."
          >
            <CacheSettingsDialogBody r={current} onDone={done} onCancel={close} />
          </Dialog>
          <Dialog open={open?.kind === "delete"} onClose={close} title={`Delete ${current.host}?`}>
            <DeleteDialogBody r={current} onDone={done} onCancel={close} />
          </Dialog>
        </>
      )}
    </section>
  );
}

const pill = "inline-flex rounded-full px-2 py-0.5 text-xs font-medium";

/** The last test's verdict: an image that failed (a mistyped tag) does not condemn working credentials. */
function StatusPill({ test }: { test: RegistryRow["lastTest"] }) {
  if (!test) return <span className={`${pill} bg-slate-100 text-slate-700`}>Not tested</span>;
  const verdict = testVerdict(test);
  if (verdict === "passed") return <span className={`${pill} bg-emerald-100 text-emerald-800`}>Passed</span>;
  if (verdict === "failed") return <span className={`${pill} bg-red-100 text-red-800`}>Failed</span>;
  return (
    <>
      <span className={`${pill} bg-emerald-100 text-emerald-800`}>Connected</span>
      <span className={`${pill} bg-amber-100 text-amber-900`}>Image check failed</span>
    </>
  );
}

function RegistryTableRow({ r, abilities, open }: { r: RegistryRow; abilities: Abilities; open: (kind: DialogKind) => void }) {
  const rotated = r.credentialsVersion > 1;
  const small = "rounded px-1.5 py-0.5 text-xs font-medium";
  return (
    <tr data-testid={`registry-${r.address}`}>
      <td className="min-w-52 px-3 py-3 pl-4">
        <p className="font-mono text-[13px] font-medium [overflow-wrap:anywhere]">
          <Link href={`/images/${r.id}`} className="text-brand-700 underline underline-offset-2" aria-label={`${r.host}: details`}>
            {r.host}
          </Link>
        </p>
        <p className="mt-1 flex flex-wrap gap-1.5">
          <span className={`${small} bg-slate-100 text-slate-700`}>{r.kindLabel}</span>
          {r.name && (
            <span className={`${small} bg-brand-50 text-brand-900`} title="Name used in proxy paths">
              name: <span className="font-mono">{r.name}</span>
            </span>
          )}
        </p>
      </td>
      <td className="px-3 py-3">
        <p className="max-w-40 font-mono text-xs text-slate-800 [overflow-wrap:anywhere]">{r.username}</p>
        <p className="mt-0.5 text-xs text-slate-500">{r.usernameLabel}</p>
      </td>
      <td className="min-w-60 px-3 py-3" data-testid="last-test">
        <p className="flex flex-wrap items-center gap-2">
          <StatusPill test={r.lastTest} />
          {r.lastTest && <RelativeTime iso={r.lastTest.at} className="text-xs text-slate-500" />}
        </p>
        {r.lastTest && (
          <p className={`mt-1 line-clamp-3 text-xs ${{ passed: "text-slate-600", "image-failed": "text-amber-900", failed: "text-red-700" }[testVerdict(r.lastTest)]}`} title={r.lastTest.summary}>
            {r.lastTest.summary}
          </p>
        )}
      </td>
      <td className="min-w-60 px-3 py-3" data-testid="cache">
        <CacheSummary cache={r.cache} host={r.host} />
        {abilities.canWrite && (
          <Button variant="secondary" className="mt-2 px-2.5 py-1 text-xs" onClick={() => open("cache")}
            onPointerEnter={loadCacheSettings}
            onFocus={loadCacheSettings}
            aria-label={`Cache settings of ${r.host}`}
          >
            Cache settings
          </Button>
        )}
      </td>
      <td className="px-3 py-3 text-xs text-slate-600">
        <p className="max-w-48 truncate" title={r.createdByEmail ?? undefined}>
          Added <RelativeTime iso={r.createdAt} />
          {r.createdByEmail && (
            <>
              {" "}
              by <span className="text-slate-800">{r.createdByEmail}</span>
            </>
          )}
        </p>
        <p className="mt-1 max-w-48 truncate" title={r.credentialsUpdatedBy ?? undefined} data-testid="credentials-updated">
          Credentials {rotated ? "rotated" : "set"} <RelativeTime iso={r.credentialsUpdatedAt} />
          {r.credentialsUpdatedBy && (
            <>
              {" "}
              by <span className="text-slate-800">{r.credentialsUpdatedBy}</span>
            </>
          )}
        </p>
      </td>
      <td className="px-3 py-3 pr-4">
        <div className="flex items-center justify-end gap-1.5">
          {abilities.canWrite ? (
            <Button variant="secondary" className="px-2.5 py-1 text-xs" onClick={() => open("test")} onPointerEnter={loadDialogs} onFocus={loadDialogs} aria-label={`Test ${r.host}`}>
              Test
            </Button>
          ) : (
            r.lastTest && (
              <Button variant="ghost" className="px-2.5 py-1 text-xs" onClick={() => open("test")} onPointerEnter={loadDialogs} onFocus={loadDialogs} aria-label={`Last test of ${r.host}`}>
                Details
              </Button>
            )
          )}
          {abilities.canAdmin && (
            <Menu
              label={`More actions for ${r.host}`}
              onIntent={loadDialogs}
              items={[
                { label: "Rotate credentials", aria: `Rotate credentials of ${r.host}`, onSelect: () => open("rotate") },
                { label: "Edit", aria: `Edit ${r.host}`, onSelect: () => open("rename") },
                { label: "Delete", aria: `Delete ${r.host}`, onSelect: () => open("delete"), danger: true },
              ]}
            />
          )}
        </div>
      </td>
    </tr>
  );
}
