import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import { dockerConfigJson, pullSecret, pullSecretYaml } from "./pull-secret";

describe("pull secret", () => {
  const input = { appSlug: "acme", licenseId: "2kq9VhBOBx3yCn4Zr8dTQWmJp0a", proxyHost: "proxy.example.com", registryHost: "registry.example.com:5000", namespace: "prod" };

  it("is a dockerconfigjson Secret <slug>-registry with LICENSE_ID logins for the proxy and registry hosts", () => {
    const s = pullSecret(input);
    expect(s).toMatchObject({ apiVersion: "v1", kind: "Secret", metadata: { name: "acme-registry", namespace: "prod" }, type: "kubernetes.io/dockerconfigjson" });
    const config = JSON.parse(Buffer.from(s.data[".dockerconfigjson"], "base64").toString("utf8"));
    const auth = Buffer.from("LICENSE_ID:2kq9VhBOBx3yCn4Zr8dTQWmJp0a").toString("base64");
    expect(config).toEqual({ auths: { "proxy.example.com": { auth }, "registry.example.com:5000": { auth } } });
    expect(config).toEqual(dockerConfigJson(input));
  });

  it("YAML round-trips; without a namespace it has none", () => {
    expect(load(pullSecretYaml(input))).toEqual(pullSecret(input));
    expect((load(pullSecretYaml({ ...input, namespace: undefined })) as { metadata: object }).metadata).toEqual({ name: "acme-registry" });
  });
});
