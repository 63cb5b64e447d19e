import { InvalidEndpointError } from "@/lib/oci/errors";
import type { EndpointPolicy, RegistryEndpoint } from "@/lib/oci/endpoint";
import type { RegistryCredentials } from "@/lib/oci/credentials";
import { env } from "@/lib/config/env";
import type { AnyProvider, ProviderSettings, ProviderView, StoredCredentials } from "./types";
import { other } from "./other";
import { ecr } from "./ecr";
import { gcr } from "./gcr";

/**
 * The registry providers, in the order the add dialog shows them. Everything provider-specific
 * lives in the provider's own file; adding one is a new file and a line here (docs/architecture.md,
 * "Adding a registry provider").
 */
export const registryProviders = [other, ecr, gcr] as const;

type Providers = typeof registryProviders;
export type RegistryProviderName = Providers[number]["id"];
export type { AnyProvider, ProviderStrategy, ProviderView, StoredCredentials } from "./types";

type IdsOf<T extends readonly AnyProvider[]> = { readonly [K in keyof T]: T[K] extends { id: infer Id } ? Id : never };
/** `["other", "ecr", …]`: the `provider` values of the REST API, for `z.enum`. */
export const registryProviderNames = registryProviders.map((p) => p.id) as unknown as IdsOf<Providers>;

const all: readonly AnyProvider[] = registryProviders;
const byName = new Map(all.map((p) => [p.id, p]));

/** The provider of a registry or an input (whose `provider` the schemas already checked). */
export function registryProvider(name: RegistryProviderName): AnyProvider {
  const provider = byName.get(name);
  if (!provider) throw new Error(`Unknown registry provider ${name}.`);
  return provider;
}

/** "a, b or c" */
export function inWords(items: readonly string[]): string {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

/** The add dialog's tabs and the rotation dialog's fields, as the Images page hands them to the browser. */
export const providerViews = (): ProviderView[] => all.map((p) => ({ id: p.id, ...p.view }));

/** What is stored of credentials a form or the REST API gave: the username column and the secret. */
export function storedCredentials(name: RegistryProviderName, credentials: object): StoredCredentials {
  const provider = registryProvider(name);
  const c = credentials as Record<string, unknown>;
  return { username: provider.usernameOf(c), secret: String(c[provider.secretField]) };
}

/** Credentials from a form or the REST API, as lib/oci's client takes them for the registry at `endpoint`. */
export function ociCredentials(name: RegistryProviderName, credentials: object, endpoint: string, settings: ProviderSettings = env()): RegistryCredentials {
  return registryProvider(name).toOci(credentials as Record<string, unknown>, endpoint, settings);
}

/** Stored credentials, as lib/oci's client takes them for the registry at `endpoint`. */
export function ociCredentialsFromStored(name: RegistryProviderName, stored: StoredCredentials, endpoint: string, settings: ProviderSettings = env()): RegistryCredentials {
  const provider = registryProvider(name);
  return provider.toOci(provider.fromStored(stored), endpoint, settings);
}

/**
 * Normalises an endpoint typed for a provider under the operator's policy: the provider's own
 * rule, and no host another provider claims as its own (an ECR host on the "other" tab).
 */
export function providerEndpoint(name: RegistryProviderName, input: string, policy: EndpointPolicy): RegistryEndpoint {
  const endpoint = registryProvider(name).endpoint(input, policy);
  const owner = all.find((p) => p.id !== name && p.ownHosts?.match(endpoint.hostname));
  if (owner?.ownHosts) throw new InvalidEndpointError(owner.ownHosts.message);
  return endpoint;
}

/** The table's badge for a registry: "Amazon ECR", "Docker Hub", "GitHub", "OCI registry", … */
export function registryKindLabel(name: RegistryProviderName, endpoint: string, dockerHubRegistry: string): string {
  return registryProvider(name).kindLabel(new URL(endpoint), dockerHubRegistry);
}
