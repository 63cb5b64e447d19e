import type { CacheStats } from "@/lib/cache/dto";
import type { DiagnosticStep } from "@/lib/oci/diagnose";
import type { RegistryTestResult } from "@/lib/registries/dto";
import type { RegistryProviderName } from "@/lib/registries/providers";

/** A connection test as the client components get it: the stored result, its date maybe serialised. */
export type TestView = Omit<RegistryTestResult, "testedAt"> & { testedAt: string | Date };

/** A registry's proxy cache as the client components get it: its settings, what is stored, traffic totals; dates as ISO strings. */
export type CacheView = Omit<CacheStats, "since"> & { since: string | null };

/** A registry as the Images page's client components get it: no secret, dates as ISO strings. */
export interface RegistryRow {
  id: string;
  provider: RegistryProviderName;
  /** "Docker Hub", "Amazon ECR", "Google Artifact Registry", "GitHub", … */
  kindLabel: string;
  /** What the username column holds: "Username", "Access key ID", "Service account". */
  usernameLabel: string;
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
  /** Token-service hosts, besides the registry's own, that may receive its credentials. */
  allowedRealmHosts: string[];
  lastTest: { ok: boolean; at: string; summary: string; steps: DiagnosticStep[]; image?: string; manifest?: TestView["manifest"] } | null;
  cache: CacheView;
}

export interface Abilities {
  /** Developers and admins: add and test. */
  canWrite: boolean;
  /** Admins: rotate, rename, delete. */
  canAdmin: boolean;
}
