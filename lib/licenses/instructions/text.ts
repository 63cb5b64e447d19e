import type { LicenseInstructions } from "./build";

/**
 * The install instructions as one plain text, section by section in the order the license page
 * and the customer portal show them (components/licenses/install-instructions.tsx), for a
 * terminal or an email: `portcullis licenses instructions` prints it. Pure: every line comes from
 * lib/licenses/instructions/build.ts, so the text can't drift from the pages.
 */
export function instructionsText(i: LicenseInstructions & { appSlug: string }): string {
  const sections: Array<[string, string]> = [];
  sections.push([
    `1. Log in (user name LICENSE_ID, the license ID as password${i.logins.length > 1 ? "; the proxy, and the hosted registry for the hosted images" : ""})`,
    i.dockerLogin,
  ]);
  const images = i.images.length
    ? i.images.map((image) => `${image.reference}\n    ${image.helmChart ? "Helm chart" : "image"} · ${image.via === "hosted" ? "hosted registry" : `from ${image.source}`}`).join("\n")
    : `App ${i.appSlug} lists no images yet.`;
  sections.push(["2. Images", i.pullCommands ? `${images}\n\nPull them:\n${i.pullCommands}` : images]);
  const namespaces = [i.namespace, ...i.additionalNamespaces].join(", ");
  sections.push([
    `3. Pull secret ${i.pullSecretName} (kubectl apply -f ${i.pullSecretName}.yaml; namespace ${namespaces}; it holds the license ID: keep it out of version control)`,
    i.pullSecretYaml.trimEnd(),
  ]);
  sections.push(["4. Helm values (values.yaml)", i.helmValues]);
  if (i.helmInstall) sections.push(["Install the Helm chart", i.helmInstall]);
  sections.push(["Or rewrite plain Kubernetes manifests", i.rewriteCommand]);
  return sections.map(([title, body]) => `## ${title}\n\n${body}`).join("\n\n");
}
