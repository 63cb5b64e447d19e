import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { providerViews } from "@/lib/registries/providers";
import type { RegistryActionState } from "@/app/_actions/registries";
import type { TestView } from "./types";

// The server actions are the network boundary of these components: each test answers them.
const actions = vi.hoisted(() => ({
  createRegistryAction: vi.fn<(fd: FormData) => Promise<RegistryActionState<unknown>>>(),
  testDraftRegistryAction: vi.fn<(fd: FormData) => Promise<RegistryActionState<unknown>>>(),
}));
vi.mock("@/app/_actions/registries", () => actions);

const { AddRegistryButton } = await import("./add-registry-dialog");

const failedTest: TestView = {
  ok: false,
  testedAt: "2026-12-01T10:00:00Z",
  steps: [
    { name: "Resolve registry.example.test", ok: true, detail: "127.0.0.1", durationMs: 2 },
    { name: "Authenticate", ok: false, status: 401, detail: "The registry refused the username and password.", durationMs: 15 },
  ],
} as TestView;

function open(props: Partial<React.ComponentProps<typeof AddRegistryButton>> = {}) {
  const onAdded = vi.fn();
  const user = userEvent.setup();
  render(<AddRegistryButton providers={providerViews()} proxyHost="proxy.example.test" onAdded={onAdded} {...props} />);
  return { user, onAdded };
}
/** Opens the dialog and waits for its form, whose code loads when the button is reached. */
async function openDialog(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole("button", { name: "Add external registry" }));
  await screen.findByLabelText("Endpoint");
}
const sent = (mock: typeof actions.createRegistryAction) => Object.fromEntries((mock.mock.calls.at(-1)![0] as FormData).entries());

beforeEach(() => {
  actions.createRegistryAction.mockReset();
  actions.testDraftRegistryAction.mockReset();
});

describe("Add external registry dialog", () => {
  it("moves between registry types with the arrow, Home and End keys, showing each type's credential fields", async () => {
    const { user } = open();
    await openDialog(user);
    const other = screen.getByRole("tab", { name: "Other Registry or Docker Hub" });
    expect(other.getAttribute("aria-selected")).toBe("true");
    expect(screen.getByLabelText("Username")).toBeTruthy();

    other.focus();
    await user.keyboard("{ArrowRight}");
    const ecr = screen.getByRole("tab", { name: "Amazon ECR" });
    expect(ecr.getAttribute("aria-selected")).toBe("true");
    expect(document.activeElement).toBe(ecr);
    expect(screen.getByLabelText("Access key ID")).toBeTruthy();
    expect(screen.getByLabelText("Secret access key").getAttribute("type")).toBe("password");
    expect(screen.getByRole("link", { name: "ECR tutorial" }).getAttribute("href")).toBe("/tutorials/ecr");

    await user.keyboard("{End}");
    expect(screen.getByRole("tab", { name: "Google GCR / Artifact Registry" }).getAttribute("aria-selected")).toBe("true");
    expect(screen.getByLabelText("JSON key")).toBeTruthy();
    await user.keyboard("{ArrowRight}");
    expect(other.getAttribute("aria-selected")).toBe("true");
    await user.keyboard("{ArrowLeft}{Home}");
    expect(other.getAttribute("aria-selected")).toBe("true");
  });

  it("keeps what was typed on each tab when switching back", async () => {
    const { user } = open();
    await openDialog(user);
    await user.type(screen.getByLabelText("Endpoint"), "ghcr.io");
    await user.click(screen.getByRole("tab", { name: "Amazon ECR" }));
    expect(screen.getByLabelText<HTMLInputElement>("Endpoint").value).toBe("");
    await user.type(screen.getByLabelText("Endpoint"), "1.dkr.ecr.us-east-1.amazonaws.com");
    await user.click(screen.getByRole("tab", { name: "Other Registry or Docker Hub" }));
    expect(screen.getByLabelText<HTMLInputElement>("Endpoint").value).toBe("ghcr.io");
  });

  it("shows the pull path a registry name gives customers as it is typed", async () => {
    const { user } = open();
    await openDialog(user);
    expect(screen.getByText("proxy.example.test/proxy/<app>/<name>/<repository>")).toBeTruthy();
    await user.type(screen.getByLabelText("Name (optional)"), "prod");
    expect(screen.getByText("proxy.example.test/proxy/<app>/prod/<repository>")).toBeTruthy();
  });

  it("tests, then saves, sending the chosen type and its fields, and closes with the server's message", async () => {
    let finish!: (s: RegistryActionState<unknown>) => void;
    actions.createRegistryAction.mockImplementation(() => new Promise((r) => (finish = r)));
    const { user, onAdded } = open();
    await openDialog(user);
    await user.click(screen.getByRole("tab", { name: "Amazon ECR" }));
    await user.type(screen.getByLabelText("Endpoint"), "1.dkr.ecr.us-east-1.amazonaws.com");
    await user.type(screen.getByLabelText("Access key ID"), "AKIAEXAMPLE");
    await user.type(screen.getByLabelText("Secret access key"), "s3cret");
    await user.click(screen.getByRole("button", { name: "Test and save" }));

    // While the test runs: what it is doing, and no second submit.
    expect(screen.getByText(/^Testing 1\.dkr\.ecr\.us-east-1\.amazonaws\.com: resolving/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Test and save" })).toHaveProperty("disabled", true);
    expect(sent(actions.createRegistryAction)).toMatchObject({ provider: "ecr", endpoint: "1.dkr.ecr.us-east-1.amazonaws.com", accessKeyId: "AKIAEXAMPLE", secretAccessKey: "s3cret", test: "on" });

    finish({ status: "ok", message: "Registry 1.dkr.ecr.us-east-1.amazonaws.com added." });
    await waitFor(() => expect(onAdded).toHaveBeenCalledWith("Registry 1.dkr.ecr.us-east-1.amazonaws.com added."));
    expect(screen.queryByRole("tab")).toBeNull();
  });

  it("after a failed test saves nothing, keeps the dialog open and shows every step and why it failed", async () => {
    actions.createRegistryAction.mockResolvedValue({ status: "error", message: "The connection test failed.", test: failedTest } as RegistryActionState<unknown>);
    const { user, onAdded } = open();
    await openDialog(user);
    await user.type(screen.getByLabelText("Endpoint"), "registry.example.test");
    await user.click(screen.getByRole("button", { name: "Test and save" }));

    const result = await screen.findByTestId("test-result");
    expect(within(result).getByRole("alert").textContent).toContain("Connection test failed at “Authenticate”");
    expect(within(result).getAllByTestId("test-step").map((s) => s.getAttribute("data-ok"))).toEqual(["true", "false"]);
    expect(screen.getByText(/Nothing was saved/)).toBeTruthy();
    expect(onAdded).not.toHaveBeenCalled();
    // The typed values survive, for a second try.
    expect(screen.getByLabelText<HTMLInputElement>("Endpoint").value).toBe("registry.example.test");
  });

  it("shows a refused field next to that field", async () => {
    actions.createRegistryAction.mockResolvedValue({ status: "error", message: "Some fields need attention.", fields: { endpoint: "Enter a host name, not a URL path." } });
    const { user } = open();
    await openDialog(user);
    await user.type(screen.getByLabelText("Endpoint"), "example.test/v2/");
    await user.click(screen.getByRole("button", { name: "Test and save" }));
    const endpoint = screen.getByLabelText("Endpoint");
    await waitFor(() => expect(endpoint.getAttribute("aria-invalid")).toBe("true"));
    const described = (endpoint.getAttribute("aria-describedby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent);
    expect(described).toContain("Enter a host name, not a URL path.");
  });

  it("saves without a test once “Test before saving” is unticked, and tests alone with “Test connection”", async () => {
    actions.testDraftRegistryAction.mockResolvedValue({ status: "ok", data: { ...failedTest, ok: true, steps: [{ ...failedTest.steps[0]!, ok: true }] } });
    const { user } = open();
    await openDialog(user);
    await user.click(screen.getByRole("button", { name: "Test connection" }));
    expect(await screen.findByText("Connection test passed")).toBeTruthy();
    expect(actions.createRegistryAction).not.toHaveBeenCalled();

    await user.click(screen.getByRole("checkbox", { name: /Test before saving/ }));
    actions.createRegistryAction.mockResolvedValue({ status: "ok", message: "Registry added." });
    await user.click(screen.getByRole("button", { name: "Save registry" }));
    expect(sent(actions.createRegistryAction).test).toBeUndefined();
  });

  it("opens on the tab a link asks for, once, and drops ?add= from the address", async () => {
    window.history.replaceState(null, "", "/images?add=ecr#top");
    open({ openOn: "ecr" });
    expect(await screen.findByRole("tab", { name: "Amazon ECR" })).toHaveProperty("ariaSelected", "true");
    await waitFor(() => expect(window.location.pathname + window.location.search + window.location.hash).toBe("/images#top"));
  });
});
