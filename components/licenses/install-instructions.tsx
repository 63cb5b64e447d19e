import { buttonClass } from "@/components/ui/button-class";
import { CopyButton } from "@/components/ui/copy-button";
import type { LicenseInstructions } from "@/lib/licenses/instructions/build";
import { CommandBlock } from "./command-block";

/**
 * A license's install instructions, block by block, each with its copy button: the same blocks
 * on the vendor's license page and in the customer portal (lib/licenses/instructions makes the
 * text). `pullSecretHref` is where "Download pull secret" fetches the Secret's YAML.
 */
export function InstallInstructions({
  instructions: i,
  pullSecretHref,
  emptyImages,
}: {
  instructions: LicenseInstructions;
  pullSecretHref: string;
  emptyImages: React.ReactNode;
}) {
  return (
    <div className="space-y-6">
      <CommandBlock
        testId="instructions-login"
        title="1. Log in"
        description={
          <>
            User name <code>LICENSE_ID</code>, the license ID as password
            {i.logins.length > 1 ? ": the proxy, and the hosted registry for the hosted images." : "."}
          </>
        }
        value={i.dockerLogin}
        copyLabel="Copy login commands"
      />

      <section aria-labelledby="instructions-images-title" data-testid="instructions-images">
        <h3 id="instructions-images-title" className="text-sm font-semibold text-slate-900">
          2. Images
        </h3>
        {i.images.length === 0 ? (
          <p className="mt-2 rounded-md border border-dashed border-slate-300 px-3 py-3 text-sm text-slate-600">{emptyImages}</p>
        ) : (
          <>
            <ul className="mt-2 divide-y divide-slate-200 rounded-md border border-slate-200">
              {i.images.map((image) => (
                <li key={image.reference} data-testid="instructions-image" className="flex items-center gap-2 px-3 py-2">
                  <div className="min-w-0 flex-1">
                    <code className="block break-all font-mono text-xs text-slate-900">{image.reference}</code>
                    <span className="text-xs text-slate-500">
                      {image.helmChart ? "Helm chart" : "image"} · {image.via === "hosted" ? "hosted registry" : `from ${image.source}`}
                    </span>
                  </div>
                  <CopyButton value={image.reference} name={`Copy ${image.reference}`} />
                </li>
              ))}
            </ul>
            {i.pullCommands && (
              <div className="mt-3">
                <CommandBlock testId="instructions-pull" title="Pull them" value={i.pullCommands} copyLabel="Copy pull commands" />
              </div>
            )}
          </>
        )}
      </section>

      <CommandBlock
        testId="instructions-pull-secret"
        title={`3. Pull secret ${i.pullSecretName}`}
        description={
          <>
            For Kubernetes: <code>kubectl apply -f {i.pullSecretName}.yaml</code>, in namespace {i.namespace}
            {i.additionalNamespaces.length ? ` and ${i.additionalNamespaces.join(", ")}` : ""}. It holds the license ID: keep it out of version control.
          </>
        }
        value={i.pullSecretYaml}
        copyLabel="Copy pull secret"
        actions={
          <a href={pullSecretHref} download className={buttonClass("secondary", "px-2 py-1 text-xs")}>
            Download pull secret
          </a>
        }
      />

      <CommandBlock
        testId="instructions-helm-values"
        title="4. Helm values"
        description="Give charts the pull secret and send their images through the proxy."
        value={i.helmValues}
        copyLabel="Copy Helm values"
      />

      {i.helmInstall && (
        <CommandBlock testId="instructions-helm-install" title="Install the Helm chart" value={i.helmInstall} copyLabel="Copy Helm install commands" />
      )}

      <CommandBlock
        testId="instructions-rewrite"
        title="Or rewrite plain Kubernetes manifests"
        description={
          <>
            <code>portcullis images rewrite</code> points the manifests&apos; private images at the proxy and writes the pull secret into a Kustomize overlay.
          </>
        }
        value={i.rewriteCommand}
        copyLabel="Copy rewrite command"
      />
    </div>
  );
}
