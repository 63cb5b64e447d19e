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
