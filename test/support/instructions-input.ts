import type { InstructionsInput } from "@/lib/licenses/instructions/build";

/** A license ID of the right shape. */
export const LICENSE = "abcdefghijklmnopqrstuvwxyz0";

/**
 * What install instructions are built from, for the tests of lib/licenses/instructions: app
 * `acme`, one image through the proxy, namespace `acme`. Each test spreads in what it varies.
 */
export const instructionsInput: InstructionsInput = {
  appSlug: "acme",
  licenseId: LICENSE,
  proxyHost: "proxy.example.com",
  registryHost: "registry.example.com",
  images: [{ reference: "proxy.example.com/proxy/acme/quay.io/acme/api:1.4", source: "quay.io/acme/api:1.4", via: "proxy", helmChart: false }],
  namespace: "acme",
  additionalNamespaces: [],
};
