"use client";

import { useEffect } from "react";

/**
 * Opens the collapsed section (<details>) the address's anchor points to or into — when the page
 * loads and whenever the anchor changes (a link to another schema on the same page, back and
 * forward) — and brings it into view. Renders nothing.
 */
export function OpenAnchorTarget() {
  useEffect(() => {
    const open = () => {
      const id = decodeURIComponent(window.location.hash.slice(1));
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
