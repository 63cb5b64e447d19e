"use client";

import { useSyncExternalStore } from "react";

const subscribe = (onChange: () => void) => {
  const timer = setInterval(onChange, 30_000);
  return () => clearInterval(timer);
};
// The minute we are in: re-renders twice a minute at most, and never during hydration.
const now = () => Math.floor(Date.now() / 30_000) * 30_000;

function relative(ms: number, at: number): string {
  const s = Math.round((ms - at) / 1000);
  if (s < 45) return "just now";
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d < 30) return `${d} day${d === 1 ? "" : "s"} ago`;
  return new Date(at).toISOString().slice(0, 10);
}

const absolute = (iso: string) => `${iso.replace("T", " ").slice(0, 16)} UTC`;

/** "5 min ago", with the exact UTC time on hover; the server renders the exact time. */
export function RelativeTime({ iso, className = "" }: { iso: string; className?: string }) {
  const current = useSyncExternalStore(subscribe, now, () => null);
  const at = Date.parse(iso);
  return (
    <time dateTime={iso} title={absolute(iso)} className={className}>
      {current === null ? absolute(iso) : relative(Math.max(current, at), at)}
    </time>
  );
}
