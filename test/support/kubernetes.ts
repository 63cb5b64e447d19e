import { spawnSync } from "node:child_process";
import path from "node:path";
import { loadAll } from "js-yaml";
import { requireBinaries } from "@/test/support/registry";

/** The Kubernetes manifests (deploy/kubernetes) as `kubectl kustomize` renders them, offline. */
export const KUBERNETES_DIR = path.resolve(import.meta.dirname, "../../deploy/kubernetes");

/** True when kubectl is installed; under CI=true a missing kubectl throws (never a skip). */
export const hasKubectl = () => requireBinaries("kubectl");

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Renders a kustomization directory (absolute, or relative to deploy/kubernetes) into its objects. */
export function kustomize(dir: string): K8sObject[] {
  // KUBECONFIG=/dev/null: no API server is asked; kustomize needs none.
  const r = spawnSync("kubectl", ["kustomize", path.resolve(KUBERNETES_DIR, dir)], { encoding: "utf8", env: { ...process.env, KUBECONFIG: "/dev/null" } });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed (${r.status}): ${r.stderr}`);
  return (loadAll(r.stdout) as Array<K8sObject | null>).filter((o): o is K8sObject => o !== null);
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
  return found;
}
