/**
 * An image a license lets its customer pull, as the install instructions list it. Where the list
 * comes from is lib/licenses/instructions/app-images.ts; everything else only reads this shape.
 */
export interface LicenseImage {
  /** What the customer pulls: `PROXY_HOST/proxy/<slug>/<image>` or `REGISTRY_HOST/<slug>/<repository>:<tag>`. */
  reference: string;
  /** The image as the vendor listed it (the upstream reference or the hosted repository). */
  source: string;
  /** Pulled through the registry proxy, or straight from the hosted registry. */
  via: "proxy" | "hosted";
  /** A Helm chart stored as an OCI artifact (config media type `application/vnd.cncf.helm.config.v1+json`). */
  helmChart: boolean;
}

