import { describe, expect, it } from "vitest";
import { instructionsInput } from "@/test/support/instructions-input";
import { buildInstructions, type InstructionsInput } from "./build";
import { instructionsText } from "./text";

const input: InstructionsInput = {
  ...instructionsInput,
  images: [...instructionsInput.images, { reference: "registry.example.com/acme/charts/acme:2.0.1", source: "acme/charts/acme:2.0.1", via: "hosted", helmChart: true }],
  namespace: "prod",
  additionalNamespaces: ["jobs"],
};

describe("install instructions as text", () => {
  it("holds every block the pages show, in their order, each exactly as built", () => {
    const built = buildInstructions(input);
    const text = instructionsText({ ...built, appSlug: "acme" });
    const titles = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]!.replace(/ \(.*$/, ""));
    expect(titles).toEqual(["1. Log in", "2. Images", "3. Pull secret acme-registry", "4. Helm values", "Install the Helm chart", "Or rewrite plain Kubernetes manifests"]);
    for (const block of [built.dockerLogin, built.pullCommands, built.pullSecretYaml.trimEnd(), built.helmValues, built.helmInstall!, built.rewriteCommand]) {
      expect(text).toContain(block);
    }
    expect(text).toContain("registry.example.com/acme/charts/acme:2.0.1\n    Helm chart · hosted registry");
    expect(text).toContain("namespace prod, jobs");
  });

  it("leaves out the chart section when the app ships none, and says when it lists no images", () => {
    const text = instructionsText({ ...buildInstructions({ ...input, images: [] }), appSlug: "acme" });
    expect(text).not.toContain("## Install the Helm chart");
    expect(text).toContain("App acme lists no images yet.");
    expect(text).not.toContain("Pull them:");
  });
});
