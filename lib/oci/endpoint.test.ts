import { describe, expect, it } from "vitest";
import { assertPublicAddress, classifyAddress, createCheckedLookup } from "./address";
import {
  detectProvider,
  isGcrHost,
  isInsecureAllowed,
  normalizeEndpoint,
  parseEcrHost,
  validateEcrEndpoint,
  validateGcrEndpoint,
} from "./endpoint";
import { InvalidEndpointError, UpstreamError } from "./errors";

const HUB = "registry-1.docker.io";
const policy = { dockerHubRegistry: HUB };

describe("normalizeEndpoint", () => {
  it.each([
    ["index.docker.io", "https://registry-1.docker.io"],
    ["docker.io", "https://registry-1.docker.io"],
    ["https://registry.hub.docker.com/", "https://registry-1.docker.io"],
    ["https://ghcr.io/", "https://ghcr.io"],
    ["ghcr.io/v2/", "https://ghcr.io"],
    ["GHCR.IO/Org/App?x=1#y", "https://ghcr.io"],
    ["quay.io", "https://quay.io"],
    ["harbor.example.com:8443", "https://harbor.example.com:8443"],
    ["harbor.example.com:443", "https://harbor.example.com"],
    ["  myco.jfrog.io  ", "https://myco.jfrog.io"],
  ])("%s → %s", (input, baseUrl) => expect(normalizeEndpoint(input, policy).baseUrl).toBe(baseUrl));

  it("returns scheme, host with port, hostname and port", () => {
    expect(normalizeEndpoint("harbor.example.com:8443", policy)).toEqual({
      scheme: "https",
      host: "harbor.example.com:8443",
      hostname: "harbor.example.com",
      port: 8443,
      baseUrl: "https://harbor.example.com:8443",
    });
    expect(normalizeEndpoint("http://[::1]:5000/", { ...policy, allowPrivate: true })).toMatchObject({ host: "[::1]:5000", hostname: "::1", port: 5000 });
  });

  it("accepts http:// only where the operator allows it", () => {
    expect(() => normalizeEndpoint("http://127.0.0.1:5000", policy)).toThrow(/only allowed for registries the operator marks as insecure \(the INSECURE_REGISTRIES setting/);
    expect(normalizeEndpoint("http://127.0.0.1:5000", { ...policy, allowPrivate: true })).toMatchObject({ scheme: "http", host: "127.0.0.1:5000", port: 5000 });
    const insecure = { ...policy, insecureRegistries: ["registry.lan:5000"] };
    expect(normalizeEndpoint("http://registry.lan:5000", insecure).baseUrl).toBe("http://registry.lan:5000");
    expect(() => normalizeEndpoint("http://registry.lan:5001", insecure)).toThrow(InvalidEndpointError);
    expect(() => normalizeEndpoint("http://other.lan", insecure)).toThrow(InvalidEndpointError);
  });

  it("maps Docker Hub to a DOCKER_HUB_REGISTRY written as a URL, keeping its scheme", () => {
    const local = { dockerHubRegistry: "http://127.0.0.1:5999", allowPrivate: true };
    expect(normalizeEndpoint("docker.io", local).baseUrl).toBe("http://127.0.0.1:5999");
    expect(() => normalizeEndpoint("docker.io", { dockerHubRegistry: "http://127.0.0.1:5999" })).toThrow(InvalidEndpointError);
  });

  it.each([
    ["", /Enter the registry's endpoint/],
    ["ftp://x.io", /not supported/],
    ["oci://x.io", /not supported/],
    ["https://user:pw@ghcr.io", /username and password in their own fields/],
    ["ghcr io", /spaces/],
    ["https://", /not a valid host/],
    ["x.io:99999", /not a valid host/],
  ])("refuses %j", (input, message) => {
    expect(() => normalizeEndpoint(input, policy)).toThrow(message);
    try {
      normalizeEndpoint(input, policy);
    } catch (e) {
      expect((e as InvalidEndpointError).fields).toHaveProperty("endpoint");
      expect(String((e as Error).message)).not.toContain("pw");
    }
  });

  it("isInsecureAllowed matches host:port or hostname entries", () => {
    expect(isInsecureAllowed("a.lan:5000", { insecureRegistries: ["a.lan"] })).toBe(true);
    expect(isInsecureAllowed("a.lan:5000", { insecureRegistries: ["a.lan:5001"] })).toBe(false);
    expect(isInsecureAllowed("a.lan", {})).toBe(false);
  });
});

describe("cloud registries", () => {
  it("ECR hosts carry the account and region", () => {
    expect(parseEcrHost("123456789012.dkr.ecr.us-east-1.amazonaws.com")).toEqual({ accountId: "123456789012", region: "us-east-1" });
    expect(parseEcrHost("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com")).toEqual({ accountId: "123456789012", region: "us-gov-west-1" });
    expect(parseEcrHost("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")).toEqual({ accountId: "123456789012", region: "cn-north-1" });
    expect(parseEcrHost("12345678901.dkr.ecr.us-east-1.amazonaws.com")).toBeNull();
    expect(parseEcrHost("123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io")).toBeNull();
    expect(parseEcrHost("public.ecr.aws")).toBeNull();
  });

  it("validateEcrEndpoint normalises and insists on an ECR host", () => {
    expect(validateEcrEndpoint("https://123456789012.dkr.ecr.eu-west-2.amazonaws.com/", policy)).toMatchObject({
      baseUrl: "https://123456789012.dkr.ecr.eu-west-2.amazonaws.com",
      accountId: "123456789012",
      region: "eu-west-2",
    });
    expect(() => validateEcrEndpoint("ghcr.io", policy)).toThrow(/looks like 123456789012\.dkr\.ecr/);
    expect(() => validateEcrEndpoint("123456789012.dkr.ecr.eu-west-2.amazonaws.com:8443", policy)).toThrow(InvalidEndpointError);
  });

  it("GCR and Artifact Registry hosts", () => {
    for (const h of ["gcr.io", "eu.gcr.io", "us-docker.pkg.dev", "europe-west1-docker.pkg.dev"]) expect(isGcrHost(h)).toBe(true);
    for (const h of ["gcr.io.evil.com", "docker.pkg.dev", "evilgcr.io", "pkg.dev"]) expect(isGcrHost(h)).toBe(false);
    expect(validateGcrEndpoint("https://europe-west1-docker.pkg.dev/proj/repo", policy).baseUrl).toBe("https://europe-west1-docker.pkg.dev");
    expect(() => validateGcrEndpoint("quay.io", policy)).toThrow(/gcr\.io/);
  });

  it("detectProvider", () => {
    expect(detectProvider("123456789012.dkr.ecr.us-east-1.amazonaws.com", HUB)).toBe("ecr");
    expect(detectProvider("us.gcr.io", HUB)).toBe("gcr");
    expect(detectProvider("registry-1.docker.io", HUB)).toBe("docker-hub");
    expect(detectProvider("127.0.0.1:5999", "http://127.0.0.1:5999")).toBe("docker-hub");
    expect(detectProvider("ghcr.io", HUB)).toBe("other");
  });
});

describe("classifyAddress", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.0.9", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.1", "public"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local"],
    ["0.0.0.0", "unspecified"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.128.0.1", "public"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["198.18.0.1", "reserved"],
    ["192.0.2.1", "documentation"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fe80::1%eth0", "link-local"],
    ["fd00::1", "private"],
    ["fc12:3456::1", "private"],
    ["ff02::1", "multicast"],
    ["2001:db8::1", "documentation"],
    ["2001:0:4136:e378::1", "reserved"],
    ["2606:4700:4700::1111", "public"],
    ["2a00:1450:4001:80b::200e", "public"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:8.8.8.8", "public"],
    ["::ffff:169.254.169.254", "link-local"],
    ["64:ff9b::a00:1", "private"],
    ["64:ff9b::808:808", "public"],
    ["2002:c0a8:0101::1", "private"],
    ["::10.0.0.1", "reserved"],
  ])("%s is %s", (ip, cls) => expect(classifyAddress(ip)).toBe(cls));
});

describe("assertPublicAddress", () => {
  const resolver = (map: Record<string, string[]>) => async (h: string) => {
    const list = map[h];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: "ENOTFOUND" });
    return list.map((address) => ({ address, family: (address.includes(":") ? 6 : 4) as 4 | 6 }));
  };
  const resolve = resolver({ "ok.example": ["93.184.216.34"], "meta.example": ["169.254.169.254"], "mixed.example": ["93.184.216.34", "10.0.0.1"] });

  it("returns the addresses of a public name", async () => {
    await expect(assertPublicAddress("ok.example:443", { resolve })).resolves.toEqual([{ address: "93.184.216.34", family: 4 }]);
  });

  it("refuses non-public answers, and names that mix public with private", async () => {
    await expect(assertPublicAddress("meta.example", { resolve })).rejects.toThrow(/meta\.example resolves to 169\.254\.169\.254, which is a link-local address/);
    await expect(assertPublicAddress("mixed.example", { resolve })).rejects.toMatchObject({ reason: "blocked", code: "EADDRBLOCKED" });
    await expect(assertPublicAddress("127.0.0.1:5000", { resolve })).rejects.toThrow(/127\.0\.0\.1 is a loopback address.*ALLOW_PRIVATE_HOSTS=true/);
    await expect(assertPublicAddress("[::1]:5000", { resolve })).rejects.toThrow(/loopback/);
  });

  it("allows them when the operator does", async () => {
    await expect(assertPublicAddress("meta.example", { resolve, allowPrivate: true })).resolves.toHaveLength(1);
    await expect(assertPublicAddress("127.0.0.1:5000", { allowPrivate: true })).resolves.toEqual([{ address: "127.0.0.1", family: 4 }]);
  });

  it("explains a name that does not exist", async () => {
    const e = await assertPublicAddress("nope.example", { resolve }).catch((x) => x);
    expect(e).toBeInstanceOf(UpstreamError);
    expect(e).toMatchObject({ reason: "dns", code: "ENOTFOUND" });
    expect(e.message).toMatch(/DNS name not found: nope\.example has no address/);
  });

  it("the checked lookup gives sockets only addresses that passed", async () => {
    const lookup = createCheckedLookup({ resolve });
    const call = (host: string, all: boolean) =>
      new Promise((res, rej) => lookup(host, { all }, (err, address, family) => (err ? rej(err) : res(all ? address : [address, family]))));
    await expect(call("ok.example", true)).resolves.toEqual([{ address: "93.184.216.34", family: 4 }]);
    await expect(call("ok.example", false)).resolves.toEqual(["93.184.216.34", 4]);
    await expect(call("meta.example", true)).rejects.toMatchObject({ reason: "blocked" });
  });
});
