import { InstallerError } from "./errors";
import type { SourceDocument, YamlPath } from "./yaml-source";

/**
 * Which documents run containers, where their pod spec is, and every image in it (containers,
 * initContainers, ephemeralContainers). Unknown kinds of the built-in API groups are errors (a
 * typo such as `Deploymnet` would otherwise ship without its pull secret); custom resources are
 * passed through, and their container images are reported because Kustomize's images
 * transformer rewrites any `containers[].image` it finds, pod template or not.
 */

/** Path of the pod spec in each workload kind. */
const WORKLOAD_KINDS: Record<string, readonly string[]> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** Built-in kinds that run nothing. */
const OTHER_BUILTIN_KINDS = new Set([
  "APIService", "Binding", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding", "ComponentStatus", "ConfigMap",
  "ControllerRevision", "CSIDriver", "CSINode", "CSIStorageCapacity", "CustomResourceDefinition", "Endpoints", "EndpointSlice",
  "Event", "FlowSchema", "HorizontalPodAutoscaler", "Ingress", "IngressClass", "IPAddress", "Lease", "LimitRange",
  "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "MutatingWebhookConfiguration", "Namespace", "NetworkPolicy", "Node",
  "PersistentVolume", "PersistentVolumeClaim", "PodDisruptionBudget", "PodSecurityPolicy", "PodTemplate", "PriorityClass",
  "PriorityLevelConfiguration", "ResourceClaim", "ResourceClaimTemplate", "DeviceClass", "ResourceSlice", "ResourceQuota",
  "Role", "RoleBinding", "RuntimeClass", "Secret", "Service", "ServiceAccount", "ServiceCIDR", "StorageClass",
  "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration", "VolumeAttachment",
  "VolumeAttributesClass", "List",
]);

const CONTAINER_FIELDS = ["containers", "initContainers", "ephemeralContainers"] as const;
type ContainerField = (typeof CONTAINER_FIELDS)[number];

interface WorkloadId {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ImageUse {
  /** The image exactly as written. */
  image: string;
  field: ContainerField;
  container: string;
  file: string;
  line: number;
}

export interface Workload extends WorkloadId {
  file: string;
  line: number;
  podSpecPath: readonly string[];
  /** imagePullSecrets already in the pod spec, by name, in order. */
  pullSecrets: string[];
  images: ImageUse[];
}

interface CustomResourceImages extends WorkloadId {
  file: string;
  line: number;
  images: ImageUse[];
}

interface ScanResult {
  workloads: Workload[];
  customResources: CustomResourceImages[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

function get(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const p of path) {
    if (Array.isArray(v) && typeof p === "number") v = v[p];
    else if (isObj(v) && typeof p === "string") v = v[p];
    else return undefined;
  }
  return v;
}

/** Built-in API groups: core (`v1`), `apps`, `batch`, … and the `*.k8s.io` groups. */
function isBuiltinGroup(apiVersion: string): boolean {
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
  return group === "" || !group.includes(".") || group.endsWith(".k8s.io");
}

function containersAt(doc: SourceDocument, specPath: YamlPath, fields: readonly ContainerField[], strict: boolean): ImageUse[] {
  const uses: ImageUse[] = [];
  for (const field of fields) {
    const list = get(doc.value, [...specPath, field]);
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      if (strict) throw new InstallerError(`${field} is not a list`, doc.file, doc.lineAt([...specPath, field]));
      continue;
    }
    list.forEach((c, i) => {
      const at = [...specPath, field, i];
      if (!isObj(c)) {
        if (strict) throw new InstallerError(`${field}[${i}] is not a container`, doc.file, doc.lineAt(at));
        return;
      }
      const name = typeof c.name === "string" ? c.name : `#${i}`;
      if (typeof c.image !== "string" || c.image.trim() === "") {
        if (strict) throw new InstallerError(`container "${name}" has no image`, doc.file, doc.lineAt(at));
        return;
      }
      uses.push({ image: c.image.trim(), field, container: name, file: doc.file, line: doc.lineAt([...at, "image"]) });
    });
  }
  return uses;
}

/** Every `containers`/`initContainers` list anywhere in a custom resource (what Kustomize rewrites). */
function findContainerLists(doc: SourceDocument): ImageUse[] {
  const uses: ImageUse[] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, [...path, i]));
    if (!isObj(v)) return;
    for (const [k, x] of Object.entries(v)) {
      if ((k === "containers" || k === "initContainers") && Array.isArray(x)) uses.push(...containersAt(doc, path, [k], false));
      else walk(x, [...path, k]);
    }
  };
  walk(doc.value, []);
  return uses;
}

function identify(doc: SourceDocument): WorkloadId {
  const v = doc.value as Obj;
  const kind = v.kind;
  const apiVersion = v.apiVersion;
  if (typeof kind !== "string" || !kind) throw new InstallerError("the document has no kind", doc.file, doc.line);
  if (typeof apiVersion !== "string" || !apiVersion) throw new InstallerError(`the ${kind} has no apiVersion`, doc.file, doc.lineAt(["kind"]));
  const meta = v.metadata;
  const name = isObj(meta) ? meta.name : undefined;
  if (typeof name !== "string" || !name) throw new InstallerError(`the ${kind} has no metadata.name`, doc.file, doc.lineAt(["metadata"]));
  const namespace = isObj(meta) && typeof meta.namespace === "string" && meta.namespace ? meta.namespace : undefined;
  return { apiVersion, kind, name, ...(namespace && { namespace }) };
}

/** Finds the workloads and their images. Throws InstallerError (file:line) for what can't be handled. */
export function scanDocuments(documents: readonly SourceDocument[]): ScanResult {
  const workloads: Workload[] = [];
  const customResources: CustomResourceImages[] = [];
  for (const doc of documents) {
    if (doc.value === null || doc.value === undefined) continue; // empty document (`---` at the end of Helm output)
    if (!isObj(doc.value)) throw new InstallerError("the document is not a Kubernetes object (a mapping with apiVersion and kind)", doc.file, doc.line);
    if ((doc.value as Obj).kind === "List" && Array.isArray((doc.value as Obj).items)) {
      throw new InstallerError("kind List is not supported: write its items as separate documents", doc.file, doc.lineAt(["kind"]));
    }
    const id = identify(doc);
    const podSpecPath = WORKLOAD_KINDS[id.kind];
    if (podSpecPath && isBuiltinGroup(id.apiVersion)) {
      const spec = get(doc.value, podSpecPath);
      if (!isObj(spec)) throw new InstallerError(`the ${id.kind} has no pod spec at ${podSpecPath.join(".")}`, doc.file, doc.lineAt(podSpecPath));
      const images = containersAt(doc, podSpecPath, CONTAINER_FIELDS, true);
      if (!images.some((u) => u.field === "containers")) throw new InstallerError(`the ${id.kind} ${id.name} has no containers`, doc.file, doc.lineAt(podSpecPath));
      const existing = Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : [];
      const pullSecrets = existing.map((s) => (isObj(s) && typeof s.name === "string" ? s.name : "")).filter(Boolean);
      workloads.push({ ...id, file: doc.file, line: doc.lineAt(["kind"]), podSpecPath, pullSecrets, images });
      continue;
    }
    if (isBuiltinGroup(id.apiVersion)) {
      if (OTHER_BUILTIN_KINDS.has(id.kind)) continue;
      throw new InstallerError(`unknown kind "${id.kind}" (apiVersion ${id.apiVersion})`, doc.file, doc.lineAt(["kind"]));
    }
    const images = findContainerLists(doc);
    if (images.length > 0) customResources.push({ ...id, file: doc.file, line: doc.lineAt(["kind"]), images });
  }
  return { workloads, customResources };
}
