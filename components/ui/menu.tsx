"use client";

import { useEffect, useId, useRef, useState } from "react";
import { Button } from "./button";

export type MenuItem = { label: string; /** The item's accessible name, when the label alone is ambiguous on the page. */ aria?: string; onSelect: () => void; danger?: boolean };

/**
 * A menu button whose menu is a popover in the browser's top layer: no table card or scrolling
 * container clips it. It opens under its button (above when there is no room), takes focus on
 * its first item, moves with the arrow keys, follows its button when the page scrolls, and closes
 * on Escape, on a click outside and on choosing.
 */
export function Menu({
  label,
  text = "More",
  items,
  onIntent,
}: {
  label: string;
  text?: string;
  items: MenuItem[];
  /** Called when a pointer or focus reaches the menu button: to load what its items open before one is chosen. */
  onIntent?: () => void;
}) {
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    const menu = menuRef.current;
    if (!menu) return;
    const follow = () => place(buttonRef.current, menu);
    const onToggle = (e: Event) => {
      const isOpen = (e as ToggleEvent).newState === "open";
      setOpen(isOpen);
      if (!isOpen) {
        window.removeEventListener("scroll", follow, true);
        window.removeEventListener("resize", follow);
        return;
      }
      follow();
      menu.querySelector<HTMLElement>('[role="menuitem"]')?.focus({ preventScroll: true });
      window.addEventListener("scroll", follow, true);
      window.addEventListener("resize", follow);
    };
    menu.addEventListener("toggle", onToggle);
    return () => {
      menu.removeEventListener("toggle", onToggle);
      window.removeEventListener("scroll", follow, true);
      window.removeEventListener("resize", follow);
    };
  }, []);

  return (
    <>
      <Button
        ref={buttonRef}
        variant="ghost"
        className="min-h-7 px-2 py-1 text-xs"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        popoverTarget={menuId}
        onPointerEnter={onIntent}
        onFocus={onIntent}
      >
        {text} <span aria-hidden>▾</span>
      </Button>
      <div
        ref={menuRef}
        id={menuId}
        popover="auto"
        role="menu"
        aria-label={label}
        className="m-0 w-52 rounded-md border border-slate-200 bg-white py-1 text-slate-900 shadow-lg [inset:auto]"
        onKeyDown={(e) => {
          if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
          e.preventDefault();
          const entries = [...e.currentTarget.querySelectorAll<HTMLElement>('[role="menuitem"]')];
          const at = entries.indexOf(document.activeElement as HTMLElement);
          entries[(at + (e.key === "ArrowDown" ? 1 : -1) + entries.length) % entries.length]?.focus();
        }}
      >
        {items.map((item) => (
          <button
            key={item.label}
            type="button"
            role="menuitem"
            aria-label={item.aria}
            onClick={() => {
              menuRef.current?.hidePopover();
              item.onSelect();
            }}
            className={`block min-h-9 w-full px-3 py-1.5 text-left text-sm hover:bg-slate-50 focus:bg-slate-100 focus:outline-none ${item.danger ? "text-red-700" : "text-slate-800"}`}
          >
            {item.label}
          </button>
        ))}
      </div>
    </>
  );
}

/** Under the button, right edges aligned, kept inside the window; above the button when there is no room below. */
function place(button: HTMLElement | null, menu: HTMLElement) {
  if (!button) return;
  const r = button.getBoundingClientRect();
  const { offsetWidth: w, offsetHeight: h } = menu;
  const below = r.bottom + 4;
  const top = below + h > window.innerHeight - 8 ? Math.max(8, r.top - h - 4) : below;
  const left = Math.min(Math.max(8, r.right - w), window.innerWidth - w - 8);
  menu.style.top = `${top}px`;
  menu.style.left = `${left}px`;
}
