import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ActivityDto } from "@/lib/activity/dto";
import { ActivityList } from "./activity-list";

const event = (over: Partial<ActivityDto>): ActivityDto => ({
  id: crypto.randomUUID(),
  at: new Date("2026-12-01T10:00:00Z"),
  source: "proxy",
  action: "pull-manifest",
  image: "proxy/widget/ghcr.io/acme/api",
  reference: "1.0",
  status: 200,
  bytes: 1234,
  actor: null,
  cache: null,
  result: "pulled",
  app: { id: "a", slug: "widget" },
  license: { id: "l", hint: "9f2c", customerId: "c", customerName: "Globex" },
  ...over,
});

describe("Activity list", () => {
  it("tells a refused pull from one that happened", () => {
    render(<ActivityList events={[event({ status: 200 }), event({ status: 403, reference: "2.0" })]} empty="Nothing yet." />);
    const rows = within(screen.getByRole("table", { name: "Recent activity" })).getAllByRole("row").slice(1);
    expect(within(rows[0]!).getByText("pulled")).toBeTruthy();
    expect(within(rows[0]!).getByText("proxy/widget/ghcr.io/acme/api:1.0")).toBeTruthy();
    expect(within(rows[1]!).getByText("pull refused (403)")).toBeTruthy();
    expect(within(rows[1]!).queryByText("pulled")).toBeNull();
    expect(within(rows[1]!).getByText("Globex (license …9f2c)")).toBeTruthy();
  });

  it("says so when there is nothing yet", () => {
    render(<ActivityList events={[]} empty="No pushes or pulls yet." />);
    expect(screen.getByText("No pushes or pulls yet.")).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
  });
});
