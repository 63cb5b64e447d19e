import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { CachePurgeResult, CacheStats } from "@/lib/cache/dto";
import { providerViews } from "@/lib/registries/providers";
import type { ActionState } from "@/lib/server/action-state";
import { cacheView, registryRow } from "@/test/support/registry-rows";
import type { Abilities, RegistryRow } from "./types";

// The server actions are the network boundary of these components: each test answers them.
const actions = vi.hoisted(() => ({
  updateCacheSettingsAction: vi.fn<(fd: FormData) => Promise<ActionState<CacheStats>>>(),
  purgeCacheAction: vi.fn<(prev: ActionState<CachePurgeResult>, fd: FormData) => Promise<ActionState<CachePurgeResult>>>(),
}));
vi.mock("@/app/_actions/registry-cache", () => actions);
vi.mock("@/app/_actions/registries", () => ({}));

const { RegistriesSection } = await import("./registries-section");
const { CacheSummary } = await import("./cache-summary");

const developer: Abilities = { canWrite: true, canAdmin: false };
const readOnly: Abilities = { canWrite: false, canAdmin: false };

/** A busy cache: 3 copies of 2 repositories under a 10 GiB cap, 7 of 10 requests served from it. */
const busy = cacheView({
  maxBytes: 10 * 1024 ** 3,
  entries: 3,
  storedBytes: 600 * 1024 ** 2,
  hits: 6,
  misses: 3,
  stale: 1,
  hitRatio: 0.7,
  cacheBytes: 1536 * 1024 ** 2,
  upstreamBytes: 512 * 1024 ** 2,
  egressSaved: 1536 * 1024 ** 2,
  since: "2026-11-30T08:00:00Z",
});

function show(registries: RegistryRow[], abilities = developer) {
  const user = userEvent.setup();
  render(<RegistriesSection registries={registries} providers={providerViews()} abilities={abilities} proxyHost="proxy.example.test" />);
  return user;
}
const summary = (host = "ghcr.io") => within(screen.getByRole("group", { name: `Cache of ${host}` }));
const sent = (fd: FormData) => Object.fromEntries(fd.entries());

async function openSettings(user: ReturnType<typeof userEvent.setup>) {
  screen.getByRole("button", { name: "Cache settings of ghcr.io" }).focus();
  await user.keyboard("{Enter}");
  const dialog = within(screen.getByRole("dialog", { name: "Cache settings of ghcr.io" }));
  // The form's code loads when the button is reached.
  await dialog.findByRole("button", { name: "Save settings" });
  return dialog;
}

beforeEach(() => {
  actions.updateCacheSettingsAction.mockReset();
  actions.purgeCacheAction.mockReset();
});

describe("the cache summary", () => {
  it("says nothing is cached yet before the first pull, with the cap", () => {
    render(<CacheSummary host="ghcr.io" cache={cacheView({ maxBytes: 5 * 1024 ** 3 })} />);
    expect(summary().getByText("Cache on")).toBeTruthy();
    expect(summary().getByText("Nothing cached yet: the first pull through the proxy fills the cache.")).toBeTruthy();
    expect(summary().getByText("Cap 5.0 GiB")).toBeTruthy();
  });

  it("shows the hit ratio, bytes from the cache and from the upstream, the egress saved and what is stored of the cap", () => {
    render(<CacheSummary host="ghcr.io" cache={busy} />);
    const s = summary();
    expect(s.getByText("70%").parentElement?.textContent).toBe("70% hit ratio");
    const terms = s.getAllByRole("term").map((t) => t.textContent);
    const values = s.getAllByRole("definition").map((d) => d.textContent);
    expect(Object.fromEntries(terms.map((t, i) => [t, values[i]]))).toEqual({
      "From cache": "1.5 GiB",
      "From upstream": "512 MiB",
      "Egress saved": "1.5 GiB",
      Stored: "600 MiB of 10 GiB3 copies",
    });
    expect(s.queryByText(/Nothing cached yet/)).toBeNull();
  });

  it("never rounds a ratio with misses up to 100%, and says when there is no cap", () => {
    render(<CacheSummary host="ghcr.io" cache={{ ...busy, maxBytes: null, entries: 1, hitRatio: 0.998 }} />);
    expect(summary().getByText("99%")).toBeTruthy();
    expect(summary().getByText("Stored").nextElementSibling?.textContent).toBe("600 MiB, no cap1 copy");
  });

  it("says when caching is off", () => {
    render(<CacheSummary host="ghcr.io" cache={cacheView({ enabled: false })} />);
    expect(summary().getByText("Cache off")).toBeTruthy();
    expect(summary().getByText("Every pull goes to the upstream.")).toBeTruthy();
  });

  it("is in each registry's row; only developers and admins get the settings", () => {
    show([registryRow({ cache: busy })], readOnly);
    expect(within(screen.getByTestId("registry-ghcr.io")).getByRole("group", { name: "Cache of ghcr.io" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Cache settings of ghcr.io" })).toBeNull();
  });
});

describe("the cache settings dialog", () => {
  it("opens from the keyboard with the stored settings, and saves a new cap", async () => {
    actions.updateCacheSettingsAction.mockResolvedValue({ status: "ok", message: "Cache on: capped at 20 GiB." });
    const user = show([registryRow({ cache: busy })]);
    const dialog = await openSettings(user);
    const toggle = dialog.getByRole("switch", { name: "Keep copies of what customers pull" });
    expect(toggle).toHaveProperty("checked", true);
    expect(document.activeElement).toBe(toggle);
    expect(dialog.getByLabelText<HTMLInputElement>("Size cap").value).toBe("10");
    expect(dialog.getByLabelText<HTMLSelectElement>("Unit").value).toBe("GiB");
    expect(dialog.getByLabelText<HTMLInputElement>("Serve stale tags for up to (hours)").value).toBe("24");

    await user.clear(dialog.getByLabelText("Size cap"));
    await user.type(dialog.getByLabelText("Size cap"), "20");
    await user.click(dialog.getByRole("button", { name: "Save settings" }));
    expect(await screen.findByText("Cache on: capped at 20 GiB.")).toBeTruthy();
    expect(sent(actions.updateCacheSettingsAction.mock.calls[0]![0])).toMatchObject({ id: "reg_1", enabled: "on", maxSize: "20", maxSizeUnit: "GiB", maxStaleHours: "24" });
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("checks the form before sending: each mistake inline under its field, focus on the first", async () => {
    const user = show([registryRow({ cache: busy })]);
    const dialog = await openSettings(user);
    const size = dialog.getByLabelText("Size cap");
    await user.clear(size);
    await user.type(size, "0.5");
    await user.selectOptions(dialog.getByLabelText("Unit"), "MiB");
    const hours = dialog.getByLabelText("Serve stale tags for up to (hours)");
    await user.clear(hours);
    await user.type(hours, "1000");
    await user.click(dialog.getByRole("button", { name: "Save settings" }));

    expect(size.getAttribute("aria-invalid")).toBe("true");
    expect(size.getAttribute("aria-describedby")!.split(" ")).toContain(dialog.getByText("The cap must be at least 1 MiB.").id);
    expect(hours.getAttribute("aria-invalid")).toBe("true");
    expect(dialog.getByText(/from 0 to 720 \(30 days\)/)).toBeTruthy();
    expect(document.activeElement).toBe(size);
    expect(actions.updateCacheSettingsAction).not.toHaveBeenCalled();

    // A corrected field loses its message at once; a unit changes the cap's.
    await user.selectOptions(dialog.getByLabelText("Unit"), "GiB");
    expect(size.getAttribute("aria-invalid")).toBeNull();
    expect(hours.getAttribute("aria-invalid")).toBe("true");
  });

  it("shows the server's field messages under the form's fields", async () => {
    actions.updateCacheSettingsAction.mockResolvedValue({ status: "error", message: "Some fields need attention.", fields: { maxSize: "The cap is too large." } });
    const user = show([registryRow({ cache: busy })]);
    const dialog = await openSettings(user);
    await user.click(dialog.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(dialog.getByLabelText("Size cap").getAttribute("aria-invalid")).toBe("true"));
    expect(dialog.getByText("The cap is too large.")).toBeTruthy();
  });

  it("shows a message that names no field of the form, and an error without fields", async () => {
    actions.updateCacheSettingsAction
      .mockResolvedValueOnce({ status: "error", message: "Some fields need attention.", fields: { id: "Unknown registry." } })
      .mockResolvedValueOnce({ status: "error", message: "The cache store can't be reached. Caching was not turned off." });
    const user = show([registryRow({ cache: busy })]);
    const dialog = await openSettings(user);
    await user.click(dialog.getByRole("button", { name: "Save settings" }));
    expect((await dialog.findByRole("alert")).textContent).toBe("Unknown registry.");
    await user.click(dialog.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(dialog.getByRole("alert").textContent).toBe("The cache store can't be reached. Caching was not turned off."));
  });

  it("warns that turning the cache off purges it, and sends it off", async () => {
    actions.updateCacheSettingsAction.mockResolvedValue({ status: "ok", message: "Cache off." });
    const user = show([registryRow({ cache: busy })]);
    const dialog = await openSettings(user);
    expect(dialog.queryByText(/Turning the cache off purges/)).toBeNull();
    await user.keyboard(" ");
    expect(dialog.getByRole("switch")).toHaveProperty("checked", false);
    expect(dialog.getByText(/Turning the cache off purges its 3 copies \(600 MiB\)/)).toBeTruthy();
    await user.click(dialog.getByRole("button", { name: "Save settings" }));
    await screen.findByText("Cache off.");
    expect(sent(actions.updateCacheSettingsAction.mock.calls[0]![0])).not.toHaveProperty("enabled");
  });

  it("purges one repository after the confirmation, and says what went", async () => {
    actions.purgeCacheAction.mockResolvedValue({ status: "ok", message: "Purged 2 copies (400 MiB) and 1 last confirmed tag." });
    const user = show([registryRow({ cache: busy })]);
    const dialog = await openSettings(user);
    await user.click(dialog.getByRole("radio", { name: "One repository" }));
    await user.click(dialog.getByRole("button", { name: "Purge cache…" }));
    expect(dialog.getByLabelText("Repository to purge").getAttribute("aria-invalid")).toBe("true");
    expect(dialog.getByText("Enter the repository to purge, e.g. library/nginx.")).toBeTruthy();

    await user.type(dialog.getByLabelText("Repository to purge"), "library/nginx");
    await user.click(dialog.getByRole("button", { name: "Purge cache…" }));
    expect(dialog.getByText(/Purge the copies of/).textContent).toContain("library/nginx");
    expect(actions.purgeCacheAction).not.toHaveBeenCalled();
    await user.click(dialog.getByRole("button", { name: "Purge cache" }));
    expect(await screen.findByText("Purged 2 copies (400 MiB) and 1 last confirmed tag.")).toBeTruthy();
    expect(sent(actions.purgeCacheAction.mock.calls[0]![1])).toEqual({ id: "reg_1", repository: "library/nginx" });
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("purges everything only when confirmed; Cancel goes back to the settings", async () => {
    actions.purgeCacheAction.mockResolvedValue({ status: "error", message: "The cache store can't be reached. The cache was not purged." });
    const user = show([registryRow({ cache: busy })]);
    const dialog = await openSettings(user);
    await user.clear(dialog.getByLabelText("Size cap"));
    await user.type(dialog.getByLabelText("Size cap"), "15");
    await user.click(dialog.getByRole("button", { name: "Purge cache…" }));
    expect(dialog.getByText(/Purge the whole cache of/).textContent).toContain("(3 copies, 600 MiB)");
    expect(document.activeElement).toBe(dialog.getByRole("button", { name: "Purge cache" }));
    expect(dialog.queryByRole("button", { name: "Save settings" })).toBeNull();
    await user.keyboard("{Tab}{Enter}"); // Cancel
    await waitFor(() => expect(document.activeElement).toBe(dialog.getByRole("button", { name: "Purge cache…" })));
    expect(dialog.getByLabelText<HTMLInputElement>("Size cap").value).toBe("15");
    expect(actions.purgeCacheAction).not.toHaveBeenCalled();

    await user.click(dialog.getByRole("button", { name: "Purge cache…" }));
    await user.click(dialog.getByRole("button", { name: "Purge cache" }));
    expect(await dialog.findByText("The cache store can't be reached. The cache was not purged.")).toBeTruthy();
    expect(sent(actions.purgeCacheAction.mock.calls[0]![1])).toEqual({ id: "reg_1" });
  });
});
