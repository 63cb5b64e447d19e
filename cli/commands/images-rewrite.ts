import { booleanFlags, requireFlag, stringFlags } from "@/cli/args";
import { defineCommand } from "@/cli/command";
import { UsageError, UserError } from "@/cli/errors";
import { InstallerError } from "@/lib/installer/errors";
import { checkAppSlug, checkLicenseId, checkNamespace, normalizeHost, parseNamespaceList, parseRegistryNames } from "@/lib/installer/options";
import { decisionTable, explain, summary } from "@/lib/installer/report";
import { rewriteImages } from "@/lib/installer/rewrite";
import { envValue } from "@/lib/config/env";

const USAGE = `Usage: portcullis images rewrite DIR --app SLUG --license-id ID --proxy-host HOST --registry-host HOST --namespace NS
         [--additional-namespaces A,B] [--airgap --local-registry HOST] [--insecure-registry HOST]... [--registry-name HOST=NAME]... [--explain]

Finds every image in the Kubernetes manifests of DIR (a Kustomize base in DIR/base, a
kustomization, or plain YAML such as \`helm template\` output) and writes a Kustomize overlay to
DIR/overlays/midstream that pulls the private ones through the Portcullis proxy:

  kubectl apply -k DIR/overlays/midstream

An image is private when an anonymous request for its manifest is refused (401/403), unknown to
anonymous clients (404) or the registry can't be reached; each decision is printed with its
reason, and --explain shows the requests and answers. Public images stay as they are; images on
the Portcullis registry keep their name and get the pull secret. The overlay holds the image pull
secret <app>-registry (in NS and each additional namespace) and patches every workload to use it.
The base is never changed, and running it again gives the same files.

  --app SLUG                  the app's slug (PROXY_HOST/proxy/SLUG/<image>)
  --license-id ID             the customer's license ID (the pull secret's password)
  --proxy-host HOST           the Portcullis proxy, host[:port]
  --registry-host HOST        the Portcullis registry, host[:port]
  --namespace NS              where the pull secret goes (and the app runs)
  --additional-namespaces A,B more namespaces that get a copy of the pull secret
  --airgap                    rewrite every image to --local-registry (images pinned by digest are refused)
  --local-registry HOST       the air-gapped cluster's registry
  --insecure-registry HOST    reach HOST over plain HTTP (as Docker does for loopback registries); repeatable
  --registry-name HOST=NAME   a registry's name in the portal, for hosts with a port; repeatable
  --explain                   show the requests behind each decision

DOCKER_HUB_REGISTRY (default registry-1.docker.io) is the host asked for host-less names.`;

export const imagesRewriteCommand = defineCommand({
  path: ["images", "rewrite"],
  summary: "Write a Kustomize overlay that pulls private images through the proxy",
  usage: USAGE,
  positionals: true,
  flags: { ...stringFlags("app", "license-id", "proxy-host", "registry-host", "namespace", "additional-namespaces", "local-registry"), ...booleanFlags("airgap", "explain"), "insecure-registry": { type: "string", multiple: true }, "registry-name": { type: "string", multiple: true } },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "DIR is required" : `one DIR only (got ${positionals.join(", ")})`);
    const app = requireFlag(values, "app");
    const proxyHost = requireFlag(values, "proxy-host");
    const registryHost = requireFlag(values, "registry-host");
    const namespace = requireFlag(values, "namespace");
    if (values.airgap && !values["local-registry"]) throw new UsageError("--airgap needs --local-registry HOST");
    if (!values.airgap && values["local-registry"]) throw new UsageError("--local-registry goes with --airgap");

    try {
      const ns = checkNamespace(namespace);
      const result = await rewriteImages({
        dir: positionals[0]!,
        appSlug: checkAppSlug(app),
        licenseId: checkLicenseId(values["license-id"]),
        proxyHost: normalizeHost(proxyHost, "proxy-host"),
        registryHost: normalizeHost(registryHost, "registry-host"),
        namespace: ns,
        additionalNamespaces: parseNamespaceList(values["additional-namespaces"], ns),
        ...(values.airgap && { localRegistry: normalizeHost(values["local-registry"]!, "local-registry") }),
        insecureRegistries: (values["insecure-registry"] ?? []).map((h) => normalizeHost(h, "insecure-registry")),
        registryNames: parseRegistryNames(values["registry-name"] ?? []),
        dockerHubRegistry: envValue("DOCKER_HUB_REGISTRY"),
      });
      for (const line of decisionTable(result.decisions)) io.out(line);
      if (values.explain) for (const line of explain(result.decisions)) io.out(line);
      for (const w of result.warnings) io.err(`warning: ${w}`);
      io.out("");
      for (const line of summary(result)) io.out(line);
    } catch (e) {
      if (e instanceof InstallerError) throw new UserError(e.message);
      throw e;
    }
  },
});
