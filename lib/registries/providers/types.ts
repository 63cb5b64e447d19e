import type { z } from "zod";
import type { Env } from "@/lib/config/env";
import type { RegistryCredentials } from "@/lib/oci/credentials";
import type { EndpointPolicy, RegistryEndpoint } from "@/lib/oci/endpoint";

/** The configuration a provider's conversion may read (AWS's region and ECR endpoint), passed in by the caller. */
export type ProviderSettings = Pick<Env, "AWS_REGION" | "AWS_DEFAULT_REGION" | "AWS_ENDPOINT_URL_ECR">;

/**
 * What a registry provider is made of (lib/registries/providers/<id>.ts). The registry
 * operations, the REST schemas and the Images page read everything provider-specific from here.
 */

/** What is kept of a registry's credentials: the username column, and the secret sealed in EncryptedSecret. */
export interface StoredCredentials {
  username: string;
  secret: string;
}

/** One credential input of the add and rotate dialogs. */
export interface CredentialFieldView {
  /** The form field and REST property. */
  name: string;
  label: string;
  /** The label in the rotation dialog ("New username"). */
  newLabel: string;
  /** `json-key`: a text area that also takes an uploaded file. */
  input: "text" | "password" | "json-key";
  placeholder?: string;
  hint?: string;
  /** Rotation starts with the registry's current username in it. */
  prefillUsername?: boolean;
}

/** How the Images page presents a provider: plain data, handed from the page to its client components. */
export interface ProviderView {
  id: string;
  /** The add dialog's tab. */
  tab: string;
  /** What the table's username column holds for this provider. */
  usernameLabel: string;
  endpoint: { placeholder: string; hint: string };
  /** Advice shown above the credentials; text in `backticks` is code. */
  notice?: { text: string; link?: { href: string; label: string } };
  fields: CredentialFieldView[];
}

export interface ProviderStrategy<Id extends string = string, Shape extends z.ZodRawShape = z.ZodRawShape> {
  /** The `provider` value of the REST API and the database. */
  id: Id;
  view: Omit<ProviderView, "id">;
  /** How the REST API's description of `POST /registries` names it. */
  apiLabel: string;
  /** The credential fields, as the add dialog, the REST API and rotation take them. */
  credentials: z.ZodObject<Shape>;
  /**
   * The field sealed into EncryptedSecret. Its name is the secret's `field` and part of its
   * associated data: renaming it leaves stored secrets undecryptable (lib/crypto/INVARIANTS.md).
   */
  secretField: keyof Shape & string;
  /** A registry of this provider, for the provider tests. */
  example: { endpoint: string; credentials: Record<keyof Shape & string, string> };
  /** The non-secret part kept on the row and shown in the table. */
  usernameOf(credentials: z.output<z.ZodObject<Shape>>): string;
  /** The credential fields back from what was stored. */
  fromStored(stored: StoredCredentials): z.output<z.ZodObject<Shape>>;
  /** The credentials lib/oci's registry client takes, for a registry at `endpoint`. */
  toOci(credentials: z.output<z.ZodObject<Shape>>, endpoint: string, settings: ProviderSettings): RegistryCredentials;
  /** Normalises and checks an endpoint typed for this provider (InvalidEndpointError otherwise). */
  endpoint(input: string, policy: EndpointPolicy): RegistryEndpoint;
  /** Hosts only this provider can reach: adding one under another provider is refused with `message`. */
  ownHosts?: { match(hostname: string): boolean; message: string };
  /** The table's badge: the provider, or the service an endpoint belongs to. */
  kindLabel(endpoint: URL, dockerHubRegistry: string): string;
}

/** A provider of any id and credentials, for lists of them. */
export type AnyProvider = ProviderStrategy<string, any>;

/** Declares a provider, checking its parts against each other. */
export const defineProvider = <Id extends string, Shape extends z.ZodRawShape>(p: ProviderStrategy<Id, Shape>) => p;
