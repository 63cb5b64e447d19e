import { dump } from "js-yaml";
import { pullSecretName, pullSecretYaml } from "@/lib/installer/pull-secret";
import { LICENSE_USERNAME } from "@/lib/licenses/license-login";
import type { LicenseImage } from "./types";

/**
 * The install instructions of one license: the one text the vendor's license page, the customer
 * portal and the REST API all show, so they can't drift. Pure (no database, no configuration):
 * lib/licenses/instructions/load.ts gathers the values.
 */
export interface InstructionsInput {
  appSlug: string;
  licenseId: string;
  /** host[:port] customers pull through (PROXY_URL's host). */
  proxyHost: string;
  /** host[:port] of the hosted registry (REGISTRY_URL's host). */
  registryHost: string;
  images: readonly LicenseImage[];
  /** Where the pull secret goes; the installer's `--namespace`. */
  namespace: string;
  /** More namespaces that get a copy of the pull secret. */
  additionalNamespaces: readonly string[];
}

export interface LicenseInstructions {
  proxyHost: string;
  registryHost: string;
  namespace: string;
  additionalNamespaces: string[];
  /** One `docker login` per host the images are pulled from (the proxy; the hosted registry when the app has hosted images), one per line. */
  dockerLogin: string;
  logins: Array<{ host: string; command: string }>;
  images: LicenseImage[];
  /** `docker pull` of every image that is not a Helm chart, one per line. */
  pullCommands: string;
  pullSecretName: string;
  /** The `<slug>-registry` Secret, one YAML document per namespace. */
  pullSecretYaml: string;
  /** A Helm values snippet: pull secrets and a Bitnami-style registry override. */
  helmValues: string;
  /** `helm registry login` and `helm install oci://…` for the app's charts; null when it ships none. */
  helmInstall: string | null;
  /** `portcullis images rewrite` with every value filled in. */
  rewriteCommand: string;
}

const quoted = (value: string) => `'${value}'`;

/**
 * `echo 'ID' | <tool> login HOST --username LICENSE_ID --password-stdin`: the license ID is the
 * password. Also the ECR tutorial's (lib/tutorials/ecr.ts), like `pullLine` and `rewriteLine`.
 */
export const loginLine = (tool: "docker" | "helm registry", host: string, licenseId: string) =>
  `echo ${quoted(licenseId)} | ${tool} login ${host} --username ${LICENSE_USERNAME} --password-stdin`;

export const pullLine = (reference: string) => `docker pull ${reference}`;

/** `host/path/name:tag` → { repository: "host/path/name", tag }. A digest stays with the repository. */
function splitTag(reference: string): { repository: string; tag: string | null } {
  if (reference.includes("@")) return { repository: reference, tag: null };
  const slash = reference.lastIndexOf("/");
  const colon = reference.lastIndexOf(":");
  return colon > slash ? { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) } : { repository: reference, tag: null };
}

const hostOf = (input: InstructionsInput, image: LicenseImage) => (image.via === "hosted" ? input.registryHost : input.proxyHost);

function helmInstallLines(input: InstructionsInput, charts: readonly LicenseImage[]): string | null {
  if (charts.length === 0) return null;
  const hosts = [...new Set(charts.map((c) => hostOf(input, c)))];
  const lines = hosts.map((host) => loginLine("helm registry", host, input.licenseId));
  for (const chart of charts) {
    const { repository, tag } = splitTag(chart.reference);
    const release = repository.slice(repository.lastIndexOf("/") + 1);
    lines.push(
      `helm install ${release} oci://${repository}${tag ? ` --version ${tag}` : ""} --namespace ${input.namespace} --create-namespace -f values.yaml`,
    );
  }
  return lines.join("\n");
}

function helmValuesYaml(input: InstructionsInput): string {
  const secret = [{ name: pullSecretName(input.appSlug) }];
  const body = dump(
    {
      global: { imageRegistry: `${input.proxyHost}/proxy/${input.appSlug}`, imagePullSecrets: secret },
      imagePullSecrets: secret,
    },
    // noRefs: the same list twice is written twice, not as a YAML anchor and alias.
    { lineWidth: -1, noRefs: true },
  );
  return [
    `# values.yaml: pull with the ${pullSecretName(input.appSlug)} Secret (create it first in namespace ${input.namespace}).`,
    "# global.imageRegistry sends charts that prefix their image repositories with a registry",
    "# (the Bitnami convention) through the proxy; a chart without it needs each image's full reference.",
    body.trimEnd(),
  ].join("\n");
}

/** `portcullis images rewrite` with every flag filled in. */
export function rewriteLine(input: Pick<InstructionsInput, "appSlug" | "licenseId" | "proxyHost" | "registryHost" | "namespace" | "additionalNamespaces">): string {
  const flags = [
    `--app ${input.appSlug}`,
    `--license-id ${quoted(input.licenseId)}`,
    `--proxy-host ${input.proxyHost}`,
    `--registry-host ${input.registryHost}`,
    `--namespace ${input.namespace}`,
    ...(input.additionalNamespaces.length ? [`--additional-namespaces ${input.additionalNamespaces.join(",")}`] : []),
  ];
  return `npx portcullis images rewrite ./manifests ${flags.slice(0, 2).join(" ")} \\\n  ${flags.slice(2).join(" ")}`;
}

export function buildInstructions(input: InstructionsInput): LicenseInstructions {
  // The proxy always (the rewritten manifests pull through it); the hosted registry when an image is there.
  const hosts = [...new Set([input.proxyHost, ...input.images.map((i) => hostOf(input, i))])];
  const logins = hosts.map((host) => ({ host, command: loginLine("docker", host, input.licenseId) }));
  const namespaces = [input.namespace, ...input.additionalNamespaces.filter((ns) => ns !== input.namespace)];
  const secretFor = (namespace: string) =>
    pullSecretYaml({ appSlug: input.appSlug, licenseId: input.licenseId, proxyHost: input.proxyHost, registryHost: input.registryHost, namespace });
  const images = [...input.images];
  return {
    proxyHost: input.proxyHost,
    registryHost: input.registryHost,
    namespace: input.namespace,
    additionalNamespaces: namespaces.slice(1),
    dockerLogin: logins.map((l) => l.command).join("\n"),
    logins,
    images,
    pullCommands: images
      .filter((i) => !i.helmChart)
      .map((i) => pullLine(i.reference))
      .join("\n"),
    pullSecretName: pullSecretName(input.appSlug),
    pullSecretYaml: namespaces.map(secretFor).join("---\n"),
    helmValues: helmValuesYaml(input),
    helmInstall: helmInstallLines(
      input,
      images.filter((i) => i.helmChart),
    ),
    rewriteCommand: rewriteLine({ ...input, additionalNamespaces: namespaces.slice(1) }),
  };
}
