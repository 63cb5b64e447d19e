import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ReferenceFrame } from "./frame";
import { Operation } from "./operation";
import { reference, tagHref } from "./reference";

const base = "https://portal.example.test";
const ref = reference(base);

describe("API reference", () => {
  it("indexes every operation beside each page, linking to the page of its tag", () => {
    render(
      <ReferenceFrame title="Licenses" current={tagHref("Licenses")} tags={ref.tags} opsOf={ref.opsOf}>
        <p>content</p>
      </ReferenceFrame>,
    );
    const index = screen.getByRole("navigation", { name: "API sections" });
    expect(within(index).getByRole("link", { name: "Licenses" }).getAttribute("aria-current")).toBe("page");
    expect(within(index).getByRole("link", { name: "Schemas" }).getAttribute("href")).toBe("/api-reference/schemas");
    const links = within(index).getAllByRole("link");
    for (const o of ref.ops) {
      const link = links.find((a) => a.textContent === `${o.method}${String(o.op.summary)}`);
      expect(link?.getAttribute("href")).toBe(`${tagHref(String((o.op.tags as string[])[0]))}#${String(o.op.operationId)}`);
    }
    expect(screen.getByRole("heading", { name: "API reference: Licenses", level: 1 })).toBeTruthy();
  });

  it("names the columns of an operation's parameters and links named schemas to the Schemas page", () => {
    const o = ref.ops.find((x) => (x.op.parameters as unknown[] | undefined)?.length && x.op.operationId === "licenses.create")!;
    render(<Operation method={o.method} path={o.path} op={o.op} doc={ref.doc} base={base} />);
    const params = screen.getByRole("heading", { name: "Parameters" }).nextElementSibling as HTMLElement;
    expect(within(params).getAllByRole("columnheader").map((th) => th.textContent)).toEqual(["Name", "In", "Type", "Description"]);
    expect(within(params).getByRole("cell", { name: /^id/ })).toBeTruthy();
    const schemaLinks = screen.getAllByRole("link").filter((a) => a.getAttribute("href")?.includes("#schema-"));
    expect(schemaLinks.length).toBeGreaterThan(0);
    for (const a of schemaLinks) expect(a.getAttribute("href")).toMatch(/^\/api-reference\/schemas#schema-/);
  });
});
