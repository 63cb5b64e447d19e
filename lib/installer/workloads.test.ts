import { describe, expect, it } from "vitest";
import { parseYamlDocuments } from "./yaml-source";
import { scanDocuments } from "./workloads";

const scan = (text: string) => scanDocuments(parseYamlDocuments(text, "m.yaml"));
const pod = (spec: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n${spec}`;

describe("scanDocuments", () => {
  it("finds the images of every workload kind: containers, initContainers, ephemeralContainers", () => {
    const podSpec = (image: string) => `{containers: [{name: c, image: "${image}"}]}`;
    const docs = [
      `apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: c, image: pod:1}], initContainers: [{name: i, image: init:1}], ephemeralContainers: [{name: e, image: eph:1}]}`,
      ...["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].map((k) => `apiVersion: apps/v1\nkind: ${k}\nmetadata: {name: ${k.toLowerCase()}}\nspec: {template: {spec: ${podSpec(k.toLowerCase() + ":1")}}}`),
      `apiVersion: batch/v1\nkind: Job\nmetadata: {name: job}\nspec: {template: {spec: ${podSpec("job:1")}}}`,
      `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cron, namespace: jobs}\nspec: {jobTemplate: {spec: {template: {spec: ${podSpec("cron:1")}}}}}`,
      `apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {ports: [{port: 80}]}`,
    ].join("\n---\n");
    const { workloads } = scan(docs);
    expect(workloads.map((w) => w.kind)).toEqual(["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]);
    expect(workloads[0]!.images.map((u) => [u.field, u.image])).toEqual([
      ["containers", "pod:1"],
      ["initContainers", "init:1"],
      ["ephemeralContainers", "eph:1"],
    ]);
    expect(workloads[6]).toMatchObject({ namespace: "jobs", podSpecPath: ["spec", "jobTemplate", "spec", "template", "spec"], images: [{ image: "cron:1", line: 34 }] });
  });

  it("keeps existing imagePullSecrets", () => {
    const { workloads } = scan(pod("  imagePullSecrets: [{name: a}, {name: b}]\n  containers: [{name: c, image: x}]\n"));
    expect(workloads[0]!.pullSecrets).toEqual(["a", "b"]);
  });

  it("an unknown kind of a built-in group is an error at its line", () => {
    expect(() => scan("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: a}\n")).toThrow(
      'm.yaml:6: unknown kind "Deploymnet" (apiVersion apps/v1)',
    );
  });

  it("a document without kind, a workload without image or containers: errors with lines", () => {
    expect(() => scan("apiVersion: v1\nmetadata: {name: a}\n")).toThrow("m.yaml:1: the document has no kind");
    expect(() => scan(pod("  containers:\n  - name: web\n    imagePullPolicy: Always\n"))).toThrow('m.yaml:6: container "web" has no image');
    expect(() => scan(pod("  initContainers: [{name: i, image: x}]\n"))).toThrow("m.yaml:5: the Pod p has no containers");
    expect(() => scan("- a\n- b\n")).toThrow("m.yaml:1: the document is not a Kubernetes object");
  });

  it("custom resources pass; the container images Kustomize would rewrite in them are reported", () => {
    const { workloads, customResources } = scan(
      "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m}\nspec: {endpoints: [{port: http}]}\n---\n" +
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: acme/app:1\n",
    );
    expect(workloads).toEqual([]);
    expect(customResources).toMatchObject([{ kind: "Rollout", name: "r", images: [{ image: "acme/app:1", line: 14 }] }]);
  });
});
