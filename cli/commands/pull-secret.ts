import { requireFlag, stringFlags } from "@/cli/args";
import { defineCommand } from "@/cli/command";
import { UserError } from "@/cli/errors";
import { InstallerError } from "@/lib/installer/errors";
import { checkAppSlug, checkLicenseId, checkNamespace, normalizeHost } from "@/lib/installer/options";
import { pullSecretYaml } from "@/lib/installer/pull-secret";

const USAGE = `Usage: portcullis pull-secret --license-id ID --app SLUG [--namespace NS] --proxy-host HOST --registry-host HOST

Prints the image pull secret <app>-registry (type kubernetes.io/dockerconfigjson, logins for the
proxy and registry hosts with the license) as YAML, e.g. for a namespace created after
\`portcullis images rewrite\`:

  portcullis pull-secret … --namespace jobs | kubectl apply -f -`;

export const pullSecretCommand = defineCommand({
  path: ["pull-secret"],
  summary: "Print the image pull secret for a license",
  usage: USAGE,
  flags: { ...stringFlags("license-id", "app", "namespace", "proxy-host", "registry-host") },
  async run({ values }, io) {
    const app = requireFlag(values, "app");
    const proxyHost = requireFlag(values, "proxy-host");
    const registryHost = requireFlag(values, "registry-host");
    try {
      io.out(
        pullSecretYaml({
          appSlug: checkAppSlug(app),
          licenseId: checkLicenseId(values["license-id"]),
          proxyHost: normalizeHost(proxyHost, "proxy-host"),
          registryHost: normalizeHost(registryHost, "registry-host"),
          ...(values.namespace && { namespace: checkNamespace(values.namespace) }),
        }).trimEnd(),
      );
    } catch (e) {
      if (e instanceof InstallerError) throw new UserError(e.message);
      throw e;
    }
  },
});
