import { afterEach, describe, expect, it } from "vitest";
import { restoreTestEnv, stubTestEnv } from "@/test/support/test-env";
import { InvalidEndpointError } from "@/lib/oci/errors";
import { endpointPolicy, resolveRegistryEndpoint } from "./connection";

const withEnv = stubTestEnv;
afterEach(restoreTestEnv);

describe("the operator's insecure-registries list (INSECURE_REGISTRIES)", () => {
  it("lets a listed host be added over plain http://, and no other", async () => {
    withEnv({ INSECURE_REGISTRIES: "registry.internal.example:5000,mirror.example", ALLOW_PRIVATE_REGISTRY_HOSTS: "false" });
    expect(endpointPolicy().insecureRegistries).toEqual(["registry.internal.example:5000", "mirror.example"]);
    expect((await resolveRegistryEndpoint("other", "http://registry.internal.example:5000")).baseUrl).toBe("http://registry.internal.example:5000");
    expect((await resolveRegistryEndpoint("other", "http://mirror.example:8080")).baseUrl).toBe("http://mirror.example:8080");
    await expect(resolveRegistryEndpoint("other", "http://registry.internal.example:5001")).rejects.toThrow(InvalidEndpointError);
    await expect(resolveRegistryEndpoint("other", "http://ghcr.io")).rejects.toThrow(/only allowed for registries the operator marks as insecure/);
  });

  it("does not open private addresses: that stays ALLOW_PRIVATE_REGISTRY_HOSTS's job", async () => {
    withEnv({ INSECURE_REGISTRIES: "127.0.0.1:5000", ALLOW_PRIVATE_REGISTRY_HOSTS: "false" });
    await expect(resolveRegistryEndpoint("other", "http://127.0.0.1:5000")).rejects.toThrow(/loopback/);
  });
});
