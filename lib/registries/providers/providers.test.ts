import { describe, expect, expectTypeOf, it } from "vitest";
import type { RegistryProvider as DatabaseProvider } from "@/lib/generated/prisma/enums";
import { describeUser } from "@/lib/oci/credentials";
import { InvalidEndpointError } from "@/lib/oci/errors";
import { createRegistrySchema, rotateRegistrySchema, testDraftRegistrySchema } from "@/lib/registries/schemas";
import {
  ociCredentials,
  ociCredentialsFromStored,
  providerEndpoint,
  providerViews,
  registryKindLabel,
  registryProvider,
  registryProviderNames,
  registryProviders,
  storedCredentials,
  type AnyProvider,
  type RegistryProviderName,
} from ".";

/**
 * Every entry of the provider list, checked against itself: a provider whose schema, secret
 * field, conversions, endpoint rule or dialog fields disagree fails here, whichever it is.
 */

const PUBLIC = { dockerHubRegistry: "registry-1.docker.io" };
const providers: readonly AnyProvider[] = registryProviders;

describe("the provider list", () => {
  it("has each provider once, with its own tab, and the database's provider values exactly", () => {
    expect(new Set(registryProviderNames).size).toBe(registryProviders.length);
    expect(new Set(providers.map((p) => p.view.tab)).size).toBe(registryProviders.length);
    expect(providerViews().map((v) => v.id)).toEqual([...registryProviderNames]);
    expectTypeOf<RegistryProviderName>().toEqualTypeOf<DatabaseProvider>();
  });
});

describe.each(providers.map((p) => [p.id, p] as const))("provider %s", (id, provider) => {
  const name = id as RegistryProviderName;
  const { endpoint, credentials: example } = provider.example;
  const parsed = provider.credentials.parse(example) as Record<string, string>;
  const endpointUrl = providerEndpoint(name, endpoint, PUBLIC).baseUrl;

  it("takes its example credentials, in the add, draft-test and rotate inputs too", () => {
    expect(provider.credentials.safeParse(example).success).toBe(true);
    expect(createRegistrySchema.parse({ provider: id, endpoint, ...example })).toMatchObject({ provider: id, endpoint, ...parsed });
    expect(testDraftRegistrySchema.parse({ provider: id, endpoint, ...example })).toMatchObject({ provider: id, ...parsed });
    const rotation = rotateRegistrySchema.parse({ id: "3f1b0c3e-8a4b-4c1e-9f1a-2b3c4d5e6f70", ...example });
    expect(provider.credentials.parse(rotation)).toEqual(parsed);
  });

  it("refuses credentials without the secret, naming the secret's field", () => {
    for (const missing of [undefined, ""]) {
      const r = provider.credentials.safeParse({ ...example, [provider.secretField]: missing });
      expect(r.success).toBe(false);
      expect(r.error?.issues.map((i) => i.path.join("."))).toContain(provider.secretField);
    }
    expect(createRegistrySchema.safeParse({ provider: id, endpoint, ...example, [provider.secretField]: "" }).success).toBe(false);
  });

  it("stores a username and the secret, and gets the same credentials back from them", () => {
    const stored = storedCredentials(name, parsed);
    expect(stored.secret).toBe(parsed[provider.secretField]);
    expect(stored.username).not.toBe("");
    expect(stored.username).not.toContain(stored.secret);
    expect(provider.credentials.parse(provider.fromStored(stored))).toEqual(parsed);

    const fromForm = ociCredentials(name, parsed, endpointUrl);
    expect(ociCredentialsFromStored(name, stored, endpointUrl)).toEqual(fromForm);
    expect(fromForm.kind).not.toBe("anonymous");
    expect(JSON.stringify(fromForm)).toContain(JSON.stringify(stored.secret).slice(1, -1));
    // Diagnostics name the user, never the secret.
    expect(describeUser(fromForm)).toBeTruthy();
    expect(describeUser(fromForm)).not.toContain(stored.secret);
  });

  it("accepts its example endpoint, and names its kind", () => {
    expect(() => providerEndpoint(name, endpoint, PUBLIC)).not.toThrow();
    expect(registryKindLabel(name, endpointUrl, PUBLIC.dockerHubRegistry)).not.toBe("");
  });

  it("keeps its own hosts to itself", () => {
    if (!provider.ownHosts) return;
    expect(provider.ownHosts.match(new URL(endpointUrl).hostname)).toBe(true);
    for (const other of registryProviderNames.filter((n) => n !== id)) {
      expect(() => providerEndpoint(other, endpoint, PUBLIC), other).toThrow(InvalidEndpointError);
    }
  });

  it("shows a labelled input for each credential field, the secret one never in clear text", () => {
    const fields = provider.view.fields;
    expect(fields.map((f) => f.name)).toEqual(Object.keys(provider.credentials.shape));
    for (const f of fields) {
      expect(f.label).not.toBe("");
      expect(f.newLabel).not.toBe(f.label);
    }
    const secret = fields.find((f) => f.name === provider.secretField);
    expect(secret?.input).not.toBe("text");
    expect(secret?.prefillUsername).toBeFalsy();
    expect(registryProvider(name).view.usernameLabel).not.toBe("");
  });
});
