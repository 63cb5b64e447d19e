import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { providerViews } from "@/lib/registries/providers";
import type { RegistryActionState } from "@/app/_actions/registries";
import { registryRow } from "@/test/support/registry-rows";
import type { Abilities, RegistryRow } from "./types";

type Action = (fd: FormData) => Promise<RegistryActionState<unknown>>;
// The server actions are the network boundary of these components: each test answers them.
const actions = vi.hoisted(() => ({
  createRegistryAction: vi.fn<Action>(),
  testDraftRegistryAction: vi.fn<Action>(),
  testRegistryAction: vi.fn<Action>(),
  rotateRegistryAction: vi.fn<Action>(),
  updateRegistryAction: vi.fn<Action>(),
  deleteRegistryAction: vi.fn<Action>(),
}));
vi.mock("@/app/_actions/registries", () => actions);
vi.mock("@/app/_actions/registry-cache", () => ({ updateCacheSettingsAction: vi.fn(), purgeCacheAction: vi.fn() }));

const { RegistriesSection } = await import("./registries-section");

const admin: Abilities = { canWrite: true, canAdmin: true };
const developer: Abilities = { canWrite: true, canAdmin: false };
const readOnly: Abilities = { canWrite: false, canAdmin: false };

const registry = registryRow;

const failedTest = {
  ok: false,
  at: "2026-12-01T10:00:00Z",
  summary: "Authenticate: the registry refused the username and password.",
  steps: [
    { name: "GET /v2/", ok: true, detail: "401 with a Bearer challenge", durationMs: 12 },
    { name: "Authenticate", ok: false, status: 401, detail: "the registry refused the username and password.", durationMs: 20 },
  ],
};

function show(registries: RegistryRow[], abilities = admin) {
  const user = userEvent.setup();
  const { unmount } = render(<RegistriesSection registries={registries} providers={providerViews()} abilities={abilities} proxyHost="proxy.example.test" />);
  return Object.assign(user, { unmount });
}
const sent = (mock: ReturnType<typeof vi.fn<Action>>) => Object.fromEntries((mock.mock.calls.at(-1)![0] as FormData).entries());

beforeEach(() => {
  for (const a of Object.values(actions)) a.mockReset();
});

describe("External registries section", () => {
  it("with no registry, invites a writer to add the first and tells a read-only member who can", () => {
    const writer = show([]);
    expect(screen.getByText("No external registries yet")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Add your first registry" })).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
    writer.unmount();

    show([], readOnly);
    expect(screen.getByText(/An admin or developer of this team has not added a registry yet/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Add/ })).toBeNull();
  });

  it("lists each registry with its kind, name, username, last test and who set its credentials", () => {
    show([registry(), registry({ id: "reg_2", host: "harbor.example.test:8443", address: "harbor.example.test:8443", kindLabel: "Harbor", name: "prod", credentialsVersion: 2, lastTest: failedTest })]);
    const rows = within(screen.getByRole("table", { name: "External registries" })).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    const second = within(screen.getByTestId("registry-harbor.example.test:8443"));
    expect(second.getByText("Harbor")).toBeTruthy();
    expect(second.getByText("prod")).toBeTruthy();
    expect(second.getByText("Failed")).toBeTruthy();
    expect(second.getByText(failedTest.summary)).toBeTruthy();
    expect(second.getByTestId("credentials-updated").textContent).toMatch(/^Credentials rotated .* by ada@example\.test$/);
    expect(within(screen.getByTestId("registry-ghcr.io")).getByText("Not tested")).toBeTruthy();
  });

  it("gives each role only its actions: admins rotate, edit and delete; developers test; read-only members see the last test", async () => {
    const r = registry({ lastTest: failedTest });
    const user = show([r], admin);
    await user.click(screen.getByRole("button", { name: "More actions for ghcr.io" }));
    expect(screen.getAllByRole("menuitem").map((m) => m.textContent)).toEqual(["Rotate credentials", "Edit", "Delete"]);
    user.unmount();

    const dev = show([r], developer);
    expect(screen.getByRole("button", { name: "Test ghcr.io" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "More actions for ghcr.io" })).toBeNull();
    dev.unmount();

    show([r], readOnly);
    expect(screen.queryByRole("button", { name: "Test ghcr.io" })).toBeNull();
    expect(screen.getByRole("button", { name: "Last test of ghcr.io" })).toBeTruthy();
  });

  it("opens the row menu from the keyboard, moves with the arrows and closes on Escape back on its button", async () => {
    const user = show([registry()]);
    const more = screen.getByRole("button", { name: "More actions for ghcr.io" });
    more.focus();
    await user.keyboard("{Enter}");
    expect(more.getAttribute("aria-expanded")).toBe("true");
    expect(document.activeElement).toBe(screen.getByRole("menuitem", { name: "Rotate credentials of ghcr.io" }));
    await user.keyboard("{ArrowUp}");
    expect(document.activeElement).toBe(screen.getByRole("menuitem", { name: "Delete ghcr.io" }));
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(document.activeElement).toBe(screen.getByRole("menuitem", { name: "Edit ghcr.io" }));
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("menu")).toBeNull();
    expect(document.activeElement).toBe(more);
  });

  it("tests a registry with an image and shows each step, keeping the last stored test until then", async () => {
    let finish!: (s: RegistryActionState<unknown>) => void;
    actions.testRegistryAction.mockImplementation(() => new Promise((r) => (finish = r)));
    const user = show([registry({ lastTest: failedTest })], developer);
    await user.click(screen.getByRole("button", { name: "Test ghcr.io" }));
    const dialog = within(screen.getByRole("dialog", { name: "Test ghcr.io" }));
    expect((await dialog.findByText(/^Last test/)).textContent).toMatch(/: failed\.$/);
    expect(screen.getAllByTestId("test-step")).toHaveLength(2);

    await user.type(screen.getByLabelText("Image (optional)"), "acme/app:1.0");
    await user.click(screen.getByRole("button", { name: "Run test" }));
    expect(screen.getByRole("button", { name: "Testing…" })).toHaveProperty("disabled", true);
    expect(sent(actions.testRegistryAction)).toEqual({ id: "reg_1", image: "acme/app:1.0" });

    finish({ status: "ok", data: { ok: true, testedAt: "2026-12-05T10:00:00Z", steps: [{ name: "GET /v2/", ok: true, detail: "200", durationMs: 5 }] } });
    expect(await screen.findByText("Connection test passed")).toBeTruthy();
    expect(screen.getAllByTestId("test-step")).toHaveLength(1);
  });

  it("rotation keeps the old credentials when the test fails, and warns before forcing", async () => {
    actions.rotateRegistryAction.mockResolvedValue({
      status: "error",
      message: "The connection test failed.",
      test: { ok: false, summary: failedTest.summary, testedAt: new Date("2026-12-05T10:00:00Z"), steps: failedTest.steps },
    });
    const user = show([registry()]);
    await user.click(screen.getByRole("button", { name: "More actions for ghcr.io" }));
    await user.click(screen.getByRole("menuitem", { name: "Rotate credentials of ghcr.io" }));
    expect((await screen.findByLabelText<HTMLInputElement>("New username")).value).toBe("acme-bot");
    await user.type(screen.getByLabelText("New password or access token"), "ghp_new");
    await user.click(screen.getByRole("button", { name: "Test and replace" }));
    expect(await screen.findByText("The old credentials were kept: nothing changed.")).toBeTruthy();
    expect(sent(actions.rotateRegistryAction)).toMatchObject({ id: "reg_1", username: "acme-bot", password: "ghp_new" });

    await user.click(screen.getByRole("checkbox", { name: /Replace even if the test fails/ }));
    expect(screen.getByText(/Forcing skips the safety net/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Replace credentials" })).toBeTruthy();
  });

  it("deletes only after the host is typed, then says so in the list's notice", async () => {
    actions.deleteRegistryAction
      .mockResolvedValueOnce({ status: "error", message: "Some fields need attention.", fields: { confirmEndpoint: "Type ghcr.io exactly." } })
      .mockResolvedValueOnce({ status: "ok" });
    const user = show([registry()]);
    await user.click(screen.getByRole("button", { name: "More actions for ghcr.io" }));
    await user.click(screen.getByRole("menuitem", { name: "Delete ghcr.io" }));
    const confirm = await screen.findByLabelText("Type ghcr.io to confirm");
    await user.type(confirm, "ghcr");
    await user.click(screen.getByRole("button", { name: "Delete registry" }));
    await waitFor(() => expect(confirm.getAttribute("aria-invalid")).toBe("true"));

    await user.type(confirm, ".io");
    await user.click(screen.getByRole("button", { name: "Delete registry" }));
    expect(await screen.findByText("Deleted ghcr.io and its credentials.")).toBeTruthy();
    expect(sent(actions.deleteRegistryAction)).toEqual({ id: "reg_1", confirmEndpoint: "ghcr.io" });
    expect(screen.queryByLabelText("Type ghcr.io to confirm")).toBeNull();
  });

  it("edits the name with the pull path shown live, and warns that the old name stops working", async () => {
    actions.updateRegistryAction.mockResolvedValue({ status: "ok", message: "Saved." });
    const user = show([registry({ name: "prod" })]);
    await user.click(screen.getByRole("button", { name: "More actions for ghcr.io" }));
    await user.click(screen.getByRole("menuitem", { name: "Edit ghcr.io" }));
    expect(await screen.findByText(/Image references that use prod stop working/)).toBeTruthy();
    const name = screen.getByLabelText("Name");
    await user.clear(name);
    await user.type(name, "stable");
    expect(screen.getByText("proxy.example.test/proxy/<app>/stable/<repository>")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("Saved.")).toBeTruthy();
    expect(sent(actions.updateRegistryAction)).toMatchObject({ id: "reg_1", name: "stable" });
  });
});
