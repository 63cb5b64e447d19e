import { render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { OpenAnchorTarget } from "./open-target";

function Schemas() {
  return (
    <>
      <OpenAnchorTarget />
      <details id="schema-Registry">
        <summary>Registry</summary>
        <p>endpoint</p>
      </details>
    </>
  );
}

describe("a link into the collapsed schemas", () => {
  // jsdom lays nothing out: record the scroll the browser would make.
  const scrolled = vi.fn();
  beforeEach(() => {
    scrolled.mockClear();
    Element.prototype.scrollIntoView = scrolled;
  });
  afterEach(() => window.history.replaceState(null, "", "/"));

  it("opens the schema the address points to", () => {
    window.history.replaceState(null, "", "/api-reference/schemas#schema-Registry");
    render(<Schemas />);
    expect(screen.getByText("endpoint").closest("details")!.open).toBe(true);
    expect(scrolled).toHaveBeenCalledTimes(1);
  });

  it("leaves the page as it is when the anchor is a malformed escape typed by hand", () => {
    window.history.replaceState(null, "", "/api-reference/schemas#%E0%A4%A");
    expect(() => render(<Schemas />)).not.toThrow();
    expect(screen.getByText("endpoint").closest("details")!.open).toBe(false);
  });
});
