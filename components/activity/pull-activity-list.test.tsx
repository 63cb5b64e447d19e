import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { PullAttemptDto } from "@/lib/activity/pull-dto";
import { REASONS } from "@/lib/activity/reasons";
import { PullActivityList } from "./pull-activity-list";

const attempt = (over: Partial<PullAttemptDto>): PullAttemptDto => ({
  id: crypto.randomUUID(),
  at: new Date("2026-12-01T10:00:00Z"),
  result: "pulled",
  reason: null,
  reference: "proxy/widget/ghcr.io/acme/api:1.0",
  image: "proxy/widget/ghcr.io/acme/api",
  action: "pull-manifest",
  status: 200,
  bytes: 2048,
  count: 1,
  cache: null,
  customer: { id: crypto.randomUUID(), name: "Globex" },
  license: { id: crypto.randomUUID(), hint: "9f2c" },
  app: { id: crypto.randomUUID(), slug: "widget" },
  ...over,
});

const page = (attempts: PullAttemptDto[]) => ({ attempts, total: attempts.length, page: 1, pageSize: 25, pages: 1 });

describe("Pull attempts list", () => {
  it("shows each attempt's result, the refusal's reason and fix, the reference as written and the bytes", () => {
    render(
      <PullActivityList
        page={page([
          attempt({}),
          attempt({ result: "refused", reason: "unknown_license", status: 401, bytes: 0, count: 12, customer: null, license: null, reference: "proxy/widget/ghcr.io/acme/api:2.0" }),
          attempt({ result: "incomplete", reason: "client_disconnected", status: 499, bytes: 3 * 1024 * 1024, action: "pull-blob" }),
        ])}
        title="Pull attempts"
        empty="None."
        pageHref={(n) => `?page=${n}`}
      />,
    );
    const rows = within(screen.getByRole("table", { name: "Pull attempts" })).getAllByRole("row").slice(1);
    expect(within(rows[0]!).getByText("Pulled")).toBeTruthy();
    expect(within(rows[0]!).getByText("Globex (license …9f2c)")).toBeTruthy();
    expect(within(rows[0]!).getByText("proxy/widget/ghcr.io/acme/api:1.0")).toBeTruthy();
    expect(within(rows[0]!).getByText("2.0 KiB")).toBeTruthy();
    expect(within(rows[1]!).getByText("Refused")).toBeTruthy();
    expect(within(rows[1]!).getByText("Unknown license")).toBeTruthy();
    expect(within(rows[1]!).getByText("×12")).toBeTruthy();
    expect(within(rows[1]!).getByText(REASONS.unknown_license.what)).toBeTruthy();
    expect(rows[1]!.textContent).toContain(REASONS.unknown_license.fix);
    expect(within(rows[1]!).queryByText("Pulled")).toBeNull();
    expect(within(rows[2]!).getByText("Incomplete")).toBeTruthy();
    expect(within(rows[2]!).getByText("3.0 MiB")).toBeTruthy();
  });

  it("says so when there is nothing, and still explains the reasons", () => {
    render(<PullActivityList page={page([])} title="Pull attempts" empty="No attempts yet." pageHref={() => ""} />);
    expect(screen.getByText("No attempts yet.")).toBeTruthy();
    expect(screen.queryByRole("table", { name: "Pull attempts" })).toBeNull();
    expect(screen.getByRole("table", { name: "Reasons" }).textContent).toContain("revoked_license");
  });
});
