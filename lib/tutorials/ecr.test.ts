import { describe, expect, it } from "vitest";
import { buildInstructions } from "@/lib/licenses/instructions/build";
import { ecrCommands, iamPolicy } from "./ecr";

const values = {
  accountId: "123456789012",
  region: "eu-west-1",
  repository: "my-app",
  tag: "1.0",
  proxyHost: "proxy.example.com",
  registryHost: "registry.example.com",
  appSlug: "acme",
  licenseId: "2kq9VhBOBx3yCn4Zr8dTQWmJp0a",
  namespace: "acme",
};

describe("ECR tutorial commands", () => {
  it("the IAM policy: a token on *, the three pull actions on the repository only", () => {
    const token = { Sid: "PortcullisToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" };
    const pullActions = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"];
    const pull = { Sid: "PortcullisPull", Effect: "Allow", Action: pullActions, Resource: "arn:aws:ecr:eu-west-1:123456789012:repository/my-app" };
    expect(iamPolicy(values)).toEqual({ Version: "2012-10-17", Statement: [token, pull] });
  });

  it("pulls through the documented proxy path (docs/contracts.md, \"Proxy paths\") with the license", () => {
    const c = ecrCommands(values);
    expect(c.proxied).toBe("proxy.example.com/proxy/acme/123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app:1.0");
    expect(c.pull).toBe(
      "echo '2kq9VhBOBx3yCn4Zr8dTQWmJp0a' | docker login proxy.example.com --username LICENSE_ID --password-stdin\n" +
        "docker pull proxy.example.com/proxy/acme/123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app:1.0",
    );
    expect(c.rewrite).toContain("--app acme --license-id '2kq9VhBOBx3yCn4Zr8dTQWmJp0a'");
    expect(c.rewrite).toContain("--proxy-host proxy.example.com --registry-host registry.example.com --namespace acme");
    expect(c.push).toContain("docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/my-app:1.0");
  });

  it("the customer's lines are the license's install instructions for that one image, word for word", () => {
    const c = ecrCommands(values);
    const i = buildInstructions({ ...values, images: [{ reference: c.proxied, source: c.image, via: "proxy", helmChart: false }], additionalNamespaces: [] });
    expect(c.pull).toBe(`${i.dockerLogin}\n${i.pullCommands}`);
    expect(c.rewrite).toBe(`${i.rewriteCommand}\nkubectl apply -k ./manifests/overlays/midstream`);
  });
});
