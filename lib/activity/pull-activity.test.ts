import { describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client";
import { queryPullActivity } from "./pull-activity";

/** A team's pull attempts, newest first, in a stand-in for the database that records what it was asked. */
function fakeDb(n: number) {
  const asked: string[] = [];
  const rows = Array.from({ length: n }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, n - i)),
    result: "pulled",
    reason: null,
    image: "proxy/widget/api",
    reference: "1.0",
    source: "proxy",
    action: "pull-manifest",
    status: 200,
    bytes: BigInt(10),
    count: 1,
    cache: null,
    appId: "app-1",
    licenseId: "lic-1",
    customerId: "cus-1",
  }));
  const db = {
    pullEvent: {
      findMany: async ({ skip = 0, take }: { skip?: number; take: number }) => (asked.push("pullEvent.findMany"), rows.slice(skip, skip + take)),
      count: async () => (asked.push("pullEvent.count"), rows.length),
    },
    app: { findMany: async () => (asked.push("app.findMany"), [{ id: "app-1", slug: "widget" }]) },
    license: { findMany: async () => (asked.push("license.findMany"), [{ id: "lic-1", licenseIdHint: "abcd" }]) },
    customer: { findMany: async () => (asked.push("customer.findMany"), [{ id: "cus-1", name: "Globex" }]) },
  };
  return { db: db as unknown as Db, asked };
}

describe("pull attempts, paged", () => {
  it("a first page with room to spare is every attempt: its total and one page", async () => {
    const { db, asked } = fakeDb(3);
    const page = await queryPullActivity(db, { teamId: "t" }, { pageSize: 25 });
    expect(page).toMatchObject({ total: 3, page: 1, pages: 1 });
    expect(page.attempts.map((a) => a.customer?.name)).toEqual(["Globex", "Globex", "Globex"]);
    expect(asked).not.toContain("pullEvent.count");
  });

  it("a full page counts them all: the total, the number of pages, and the last page's rest", async () => {
    const { db } = fakeDb(30);
    expect(await queryPullActivity(db, { teamId: "t" }, { pageSize: 25 })).toMatchObject({ total: 30, page: 1, pages: 2 });
    const last = await queryPullActivity(db, { teamId: "t" }, { pageSize: 25, page: 2 });
    expect(last).toMatchObject({ total: 30, page: 2, pages: 2 });
    expect(last.attempts).toHaveLength(5);
  });

  it("a page past the end is empty, with the total still told", async () => {
    const { db } = fakeDb(30);
    expect(await queryPullActivity(db, { teamId: "t" }, { pageSize: 25, page: 3 })).toMatchObject({ attempts: [], total: 30, pages: 2 });
  });

  it("no attempts: one empty page, and no look-ups of apps, licenses or customers", async () => {
    const { db, asked } = fakeDb(0);
    expect(await queryPullActivity(db, { teamId: "t" })).toMatchObject({ attempts: [], total: 0, page: 1, pages: 1 });
    expect(asked).toEqual(["pullEvent.findMany"]);
  });
});
