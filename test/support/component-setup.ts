import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

// Testing Library unmounts after each test only when the runner exposes globals; vitest here doesn't.
afterEach(cleanup);

// jsdom has <dialog> but not its modal methods: open and close it as a browser would (the
// `close` event is what the Dialog component listens to).
if (typeof HTMLDialogElement !== "undefined" && !HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    if (!this.hasAttribute("open")) return;
    this.removeAttribute("open");
    this.dispatchEvent(new Event("close"));
  };
}
// jsdom lays nothing out: scrolling is a no-op.
if (typeof Element !== "undefined" && !Element.prototype.scrollBy) Element.prototype.scrollBy = () => {};

// jsdom has no popover API: open and close popovers as a browser would — a click on a
// `popovertarget` button toggles its popover, Escape closes the open one and returns focus to
// its button, and each change fires `toggle` with `newState`. jsdom's stylesheet hides every
// popover (it knows no `:popover-open`): an open one is shown with an inline style.
if (typeof HTMLElement !== "undefined" && !HTMLElement.prototype.showPopover) {
  const open = new Map<HTMLElement, HTMLElement | null>();
  const toggled = (el: HTMLElement, newState: "open" | "closed") => el.dispatchEvent(Object.assign(new Event("toggle"), { newState }));
  HTMLElement.prototype.showPopover = function showPopover(this: HTMLElement) {
    if (open.has(this)) return;
    open.set(this, document.activeElement as HTMLElement | null);
    this.style.display = "block";
    toggled(this, "open");
  };
  HTMLElement.prototype.hidePopover = function hidePopover(this: HTMLElement) {
    if (!open.has(this)) return;
    const invoker = open.get(this);
    open.delete(this);
    this.style.display = "";
    toggled(this, "closed");
    if (this.contains(document.activeElement)) invoker?.focus();
  };
  HTMLElement.prototype.togglePopover = function togglePopover(this: HTMLElement) {
    if (open.has(this)) this.hidePopover();
    else this.showPopover();
    return open.has(this);
  };
  document.addEventListener("click", (e) => {
    const button = (e.target as Element | null)?.closest?.("[popovertarget]");
    const target = button && document.getElementById(button.getAttribute("popovertarget")!);
    if (target) target.togglePopover();
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") for (const el of [...open.keys()]) el.hidePopover();
  });
}
