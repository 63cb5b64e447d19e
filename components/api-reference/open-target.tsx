"use client";

import { useEffect } from "react";

/**
 * Opens the collapsed section (<details>) the address's anchor points to or into — when the page
 * loads and whenever the anchor changes (a link to another schema on the same page, back and
 * forward) — and brings it into view. Renders nothing.
 */
/** The element id an address's `#…` names; a malformed escape (typed by hand) is taken as written. */
function anchorOf(hash: string): string {
  const raw = hash.slice(1);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export function OpenAnchorTarget() {
  useEffect(() => {
    const open = () => {
      const id = anchorOf(window.location.hash);
      const target = id ? document.getElementById(id) : null;
      const details = target && (target.closest("details") ?? target.querySelector("details"));
      if (!target || !details || details.open) return;
      details.open = true;
      target.scrollIntoView();
    };
    open();
    window.addEventListener("hashchange", open);
    return () => window.removeEventListener("hashchange", open);
  }, []);
  return null;
}
