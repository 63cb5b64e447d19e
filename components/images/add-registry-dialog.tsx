"use client";

import dynamic from "next/dynamic";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogBody } from "@/components/ui/dialog";
import type { ProviderView } from "@/lib/registries/providers/types";

/**
 * The form (its fields, the connection test's result) is code the page does without until someone
 * means to add a registry: it loads when a pointer or focus reaches the button, or at once when
 * the page opens the dialog itself.
 */
const loadForm = () => import("./add-registry-form");
const AddRegistryForm = dynamic(() => loadForm().then((m) => m.AddRegistryForm), {
  loading: () => (
    <DialogBody>
      <p className="text-sm text-slate-600">Loading…</p>
    </DialogBody>
  ),
});

/**
 * The "Add external registry" button and its dialog: a tab per provider, optional name, test
 * before saving. `openOn` opens the dialog on that provider's tab when the page loads (the Images
 * page's `?add=<provider>`, which the ECR tutorial links to).
 */
export function AddRegistryButton({
  providers,
  proxyHost,
  onAdded,
  label = "Add external registry",
  openOn,
}: {
  providers: readonly ProviderView[];
  proxyHost: string;
  onAdded: (message: string) => void;
  label?: string;
  openOn?: string;
}) {
  const [open, setOpen] = useState(!!openOn);
  // Open once: drop `?add=` from the address, so a refresh (or the button that replaces this one
  // once the first registry exists) doesn't open the dialog again.
  useEffect(() => {
    if (!openOn) return;
    const url = new URL(window.location.href);
    if (!url.searchParams.has("add")) return;
    url.searchParams.delete("add");
    window.history.replaceState(null, "", `${url.pathname}${url.search}${url.hash}`);
  }, [openOn]);
  return (
    <>
      <Button onClick={() => setOpen(true)} onPointerEnter={loadForm} onFocus={loadForm} onTouchStart={loadForm}>
        {label}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Add external registry" wide description="Credentials are encrypted before they are stored and are never shown again, not even to admins.">
        <AddRegistryForm
          providers={providers}
          proxyHost={proxyHost}
          initialProvider={openOn}
          onCancel={() => setOpen(false)}
          onAdded={(message) => {
            setOpen(false);
            onAdded(message);
          }}
        />
      </Dialog>
    </>
  );
}

