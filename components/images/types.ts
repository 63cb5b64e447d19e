import type { RegistryProviderName } from "@/lib/validations/registries";

/** A step of a connection test, as stored and shown. */
export interface StepView {
  name: string;
  ok: boolean;
  status?: number;
  detail: string;
  durationMs?: number;
}

export interface TestView {
  ok: boolean;
  summary: string;
  steps: StepView[];
  testedAt: string | Date;
  image?: string;
  manifest?: {
    kind: "index" | "image";
    mediaType: string;
    digest: string;
    platforms: string[];
    repository: string;
    reference: string;
    layers?: number;
    layerBytes?: number;
  };
}

/** A registry as the Images page's client components get it: no secret, dates as ISO strings. */
export interface RegistryRow {
  id: string;
  provider: RegistryProviderName;
  /** "Docker Hub", "Amazon ECR", "Google Artifact Registry", "GitHub", … */
  kindLabel: string;
  name: string | null;
  /** As shown and typed to confirm deletion: `ghcr.io`, `harbor.example.com:8443`, `http://127.0.0.1:5000`. */
  host: string;
  /** host[:port] only, for matching image references. */
  address: string;
  endpointInput: string;
  username: string;
  createdAt: string;
  createdByEmail: string | null;
  credentialsUpdatedAt: string;
  credentialsUpdatedBy: string | null;
  credentialsVersion: number;
  lastTest: { ok: boolean; at: string; summary: string; steps: StepView[] } | null;
}

export interface Abilities {
  /** Developers and admins: add and test. */
  canWrite: boolean;
  /** Admins: rotate, rename, delete. */
  canAdmin: boolean;
}
