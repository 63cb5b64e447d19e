import { describe, expect, it } from "vitest";
import { InstallerError } from "./errors";
import { parseYamlDocuments } from "./yaml-source";

describe("parseYamlDocuments", () => {
  const text = ["---", "# Source: chart/a.yaml", "apiVersion: v1", "kind: Pod", "metadata: {name: \"p\"}", "spec:", "  containers:", "  - name: a", "    image: &img nginx:1", "  - {name: b, image: *img}", "---", "", "---", "kind: Service", ""].join("\n");

  it("gives each document its value and the lines of its values", () => {
    const docs = parseYamlDocuments(text, "all.yaml");
    expect(docs).toHaveLength(3);
    const [pod, empty, svc] = docs;
    expect(pod!.value).toMatchObject({ kind: "Pod", spec: { containers: [{ image: "nginx:1" }, { image: "nginx:1" }] } });
    expect(pod!.line).toBe(3);
    expect(pod!.lineAt(["kind"])).toBe(4);
    expect(pod!.lineAt(["spec", "containers", 0, "image"])).toBe(9);
    expect(pod!.lineAt(["spec", "containers", 1, "image"])).toBe(10);
    // A path the source doesn't have: the closest ancestor.
    expect(pod!.lineAt(["spec", "containers", 0, "ports", 3])).toBe(8);
    expect(empty!.value).toBeNull();
    expect(svc!.lineAt(["kind"])).toBe(14);
  });

  it("bad YAML: one line with the file and line", () => {
    let err: unknown;
    try {
      parseYamlDocuments("a: 1\n---\nkind: Pod\nspec:\n  containers: [\n", "bad.yaml");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InstallerError);
    expect((err as InstallerError).file).toBe("bad.yaml");
    expect((err as InstallerError).line).toBe(6);
    expect((err as Error).message).toMatch(/^bad\.yaml:6: invalid YAML: /);
    expect((err as Error).message).not.toContain("\n");
  });

  it("duplicate keys are an error at their line", () => {
    expect(() => parseYamlDocuments("kind: Pod\nmetadata:\n  name: a\n  name: b\n", "dup.yaml")).toThrow(/^dup\.yaml:4: invalid YAML: duplicated mapping key/);
  });
});
