import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { EcrTutorialState } from "@/lib/tutorials/ecr";
import { EcrTutorial } from "./ecr-tutorial";

const hosts = { proxyHost: "proxy.example.test", registryHost: "registry.example.test" };

function team(over: Partial<EcrTutorialState> = {}): EcrTutorialState {
  return { teamName: "Acme", apps: [{ slug: "widget", name: "Widget" }], appSlug: "widget", otherRegistries: 0, ...over };
}

const step = (id: string) => screen.getByTestId(`step-${id}`);
const command = (id: string) => screen.getByTestId(id).querySelector("code")!.textContent!;

describe("ECR tutorial", () => {
  it("for a visitor, fills the AWS defaults and placeholders and tracks no step", () => {
    render(<EcrTutorial {...hosts} state={null} />);
    expect(screen.getByText(/Sign in to fill in your app and license/)).toBeTruthy();
    expect(screen.getByTestId("value-app-slug").textContent).toBe("<app-slug>");
    expect(screen.getByTestId("value-license").textContent).toBe("<license-id>");
    expect(command("cmd-pull")).toContain("proxy.example.test/proxy/<app-slug>/123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:1.0");
    for (const id of ["registry", "test", "license", "pull"]) expect(step(id).getAttribute("data-done")).toBeNull();
    expect(screen.queryByText(/That's the whole path/)).toBeNull();
  });

  it("rewrites every command as the reader types their account, region, repository and tag", async () => {
    const user = userEvent.setup();
    render(<EcrTutorial {...hosts} state={team()} />);
    const retype = async (label: string, text: string) => {
      const field = screen.getByLabelText(label);
      await user.clear(field);
      await user.type(field, text);
    };
    await retype("AWS account ID", " 210987654321 ");
    await retype("Region", "eu-west-2");
    await retype("Repository", "billing/api");
    await retype("Tag", "2.3.1");

    const upstream = "210987654321.dkr.ecr.eu-west-2.amazonaws.com/billing/api:2.3.1";
    expect(command("cmd-pull")).toContain(`proxy.example.test/proxy/widget/${upstream}`);
    expect(command("cmd-push")).toContain("--region eu-west-2");
    expect(command("iam-policy")).toContain("arn:aws:ecr:eu-west-2:210987654321:repository/billing/api");
    // Whitespace typed around a value never reaches a command.
    expect(command("cmd-pull")).not.toMatch(/ 210987654321/);
  });

  it("shows a team that has done nothing yet which steps are left, and where to start", () => {
    render(<EcrTutorial {...hosts} state={team({ apps: [], appSlug: undefined })} />);
    for (const id of ["registry", "test", "license", "pull"]) {
      expect(step(id).getAttribute("data-done")).toBe("false");
      expect(within(step(id)).getByTestId(`step-${id}-badge`).textContent).toBe("Not yet");
    }
    expect(within(step("license")).getByText(/Create an app first/)).toBeTruthy();
    expect(within(step("license")).getByRole("link", { name: "Create an app" }).getAttribute("href")).toBe("/apps");
  });

  it("says a team with other registries has no ECR one yet", () => {
    render(<EcrTutorial {...hosts} state={team({ otherRegistries: 2 })} />);
    expect(screen.getByTestId("step-registry-status").textContent).toBe("Your team has 2 other registries, but no Amazon ECR registry yet.");
  });

  it("marks the registry done but the test failed, with the failure's summary", () => {
    const registry = { host: "1.dkr.ecr.us-east-1.amazonaws.com", name: "prod", lastTest: { ok: false, at: "2026-12-01T10:00:00Z", summary: "the credentials were refused" } };
    render(<EcrTutorial {...hosts} state={team({ registry })} />);
    expect(step("registry").getAttribute("data-done")).toBe("true");
    expect(step("test").getAttribute("data-done")).toBe("false");
    expect(screen.getByTestId("step-test-status").textContent).toBe("Last test failed Dec 1, 2026, 10:00 AM UTC: the credentials were refused");
  });

  it("fills the team's values in and celebrates the first pull once every step is done", () => {
    const state = team({
      registry: { host: "210987654321.dkr.ecr.eu-west-2.amazonaws.com", accountId: "210987654321", region: "eu-west-2", name: null, lastTest: { ok: true, at: "2026-12-01T10:00:00Z", summary: "" } },
      license: { hint: "9f2c", customer: "Globex", appSlug: "widget", licenseId: "lic_abc" },
      firstPull: { at: "2026-12-02T08:30:00Z", image: "proxy/widget/210987654321.dkr.ecr.eu-west-2.amazonaws.com/my-app", reference: "sha256:0123456789abcdef0123456789" },
    });
    render(<EcrTutorial {...hosts} state={state} />);
    expect(screen.getByLabelText("AWS account ID")).toHaveProperty("value", "210987654321");
    expect(screen.getByTestId("value-license").textContent).toBe("lic_abc");
    expect(command("cmd-pull")).toContain("lic_abc");
    for (const id of ["registry", "test", "license", "pull"]) expect(step(id).getAttribute("data-done")).toBe("true");
    expect(screen.getByTestId("step-pull-status").textContent).toContain("(sha256:0123456789ab)");
    expect(screen.getByText(/That's the whole path/)).toBeTruthy();
  });

  it("never shows a license ID the viewer may not see, only its hint", () => {
    render(<EcrTutorial {...hosts} state={team({ license: { hint: "9f2c", customer: "Globex", appSlug: "widget" } })} />);
    expect(screen.getByTestId("value-license").textContent).toBe("…9f2c (ask a developer to show it)");
    expect(command("cmd-pull")).toContain("<license-id>");
  });

  it("offers a copy button for every command, named by what it copies", () => {
    render(<EcrTutorial {...hosts} state={null} />);
    for (const name of ["push commands", "IAM policy", "IAM commands", "access key command", "pull commands", "skopeo command", "deploy commands"]) {
      expect(screen.getByRole("button", { name: `Copy ${name}` })).toBeTruthy();
    }
  });
});
