import crypto from "node:crypto";
import { KMSClient } from "@aws-sdk/client-kms";
import type { KeyProvider, ProviderName } from "@/lib/crypto/key-provider";
import { AwsKmsProvider } from "@/lib/crypto/providers/aws-kms";
import { GcpKmsProvider, defaultGcpTokenSource } from "@/lib/crypto/providers/gcp-kms";
import { LocalKeyProvider } from "@/lib/crypto/providers/local";
import { VaultTransitProvider } from "@/lib/crypto/providers/vault-transit";
import { startAwsKmsFake } from "./aws-kms-fake";
import { startGcpKmsFake } from "./gcp-kms-fake";
import { startVaultTransitFake } from "./vault-transit-fake";

/**
 * One harness per provider for the contract suite: the provider, a way to make a new key/version
 * active ("rotate"), and a key id that does not exist. Fakes by default; with
 * KMS_CONTRACT_REAL=aws-kms,gcp-kms,vault-transit the named ones also run against the real
 * services configured by the usual variables (see lib/crypto/INVARIANTS.md, "Contract suite").
 */
export interface Harness {
  provider: KeyProvider;
  /** Makes a new key (version) active; returns the provider to use from now on. */
  rotate(): Promise<KeyProvider>;
  /** A key id of this provider that exists nowhere. */
  unknownKeyId: string;
  close(): Promise<void>;
}

export type HarnessFactory = () => Promise<Harness>;

const testCredentials = { accessKeyId: "AKIDFAKEFAKEFAKE", secretAccessKey: "fake-secret" };

async function gcpRotate(baseUrl: string, keyName: string, token: () => Promise<string>): Promise<void> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${baseUrl}/v1/${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${await token()}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`Cloud KMS ${path}: HTTP ${res.status}`);
    return (await res.json()) as { name: string };
  };
  const version = await post(`${keyName}/cryptoKeyVersions`, {});
  await post(`${keyName}:updatePrimaryVersion`, { cryptoKeyVersionId: version.name.split("/").pop() });
}

async function vaultRotate(addr: string, token: string, keyName: string): Promise<void> {
  const res = await fetch(`${addr}/v1/transit/keys/${keyName}/rotate`, { method: "POST", headers: { "x-vault-token": token } });
  if (!res.ok) throw new Error(`Vault rotate: HTTP ${res.status}`);
}

export const fakeHarnesses: [ProviderName, HarnessFactory][] = [
  [
    "local",
    async () => {
      const k1 = { id: "k1", key: crypto.randomBytes(32) };
      return {
        provider: new LocalKeyProvider([k1]),
        rotate: async () => new LocalKeyProvider([k1, { id: "k2", key: crypto.randomBytes(32) }]),
        unknownKeyId: "k-missing",
        close: async () => {},
      };
    },
  ],
  [
    "aws-kms",
    async () => {
      const fake = await startAwsKmsFake();
      fake.createKey("alias/portcullis");
      // The real SDK, pointed at the fake: signing, serialization and error parsing all exercised.
      const client = new KMSClient({ region: fake.region, endpoint: fake.url, credentials: testCredentials });
      return {
        provider: new AwsKmsProvider({ keyId: "alias/portcullis", client, activeKeyTtlMs: 0 }),
        rotate: async () => new AwsKmsProvider({ keyId: fake.createKey(), client, activeKeyTtlMs: 0 }),
        unknownKeyId: `arn:aws:kms:${fake.region}:111122223333:key/${crypto.randomUUID()}`,
        close: async () => {
          client.destroy();
          await fake.close();
        },
      };
    },
  ],
  [
    "gcp-kms",
    async () => {
      const fake = await startGcpKmsFake();
      const keyName = fake.createKey();
      const tokenSource = async () => fake.token;
      return {
        provider: new GcpKmsProvider({ keyName, baseUrl: fake.url, tokenSource, activeKeyTtlMs: 0 }),
        rotate: async () => {
          await gcpRotate(fake.url, keyName, tokenSource);
          return new GcpKmsProvider({ keyName, baseUrl: fake.url, tokenSource, activeKeyTtlMs: 0 });
        },
        unknownKeyId: keyName.replace(/cryptoKeys\/.*/, "cryptoKeys/missing"),
        close: () => fake.close(),
      };
    },
  ],
  [
    "vault-transit",
    async () => {
      const fake = await startVaultTransitFake();
      fake.createKey("portcullis", { derived: true });
      const make = () => new VaultTransitProvider({ addr: fake.url, token: fake.token, keyName: "portcullis", activeKeyTtlMs: 0 });
      return {
        provider: make(),
        rotate: async () => {
          await vaultRotate(fake.url, fake.token, "portcullis");
          return make();
        },
        unknownKeyId: "missing",
        close: () => fake.close(),
      };
    },
  ],
];

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`KMS_CONTRACT_REAL needs ${name}`);
  return v;
}

const realFactories: Record<Exclude<ProviderName, "local">, HarnessFactory> = {
  "aws-kms": async () => {
    // Credentials and region from the SDK default chain; a second key stands in for "rotation".
    const client = new KMSClient({});
    return {
      provider: new AwsKmsProvider({ keyId: required("AWS_KMS_KEY_ID"), client, activeKeyTtlMs: 0 }),
      rotate: async () => new AwsKmsProvider({ keyId: required("AWS_KMS_SECOND_KEY_ID"), client, activeKeyTtlMs: 0 }),
      unknownKeyId: (await new AwsKmsProvider({ keyId: required("AWS_KMS_KEY_ID"), client }).activeKey()).keyId.replace(/key\/.*/, `key/${crypto.randomUUID()}`),
      close: async () => client.destroy(),
    };
  },
  "gcp-kms": async () => {
    const keyName = required("GCP_KMS_KEY_NAME");
    const baseUrl = "https://cloudkms.googleapis.com";
    const tokenSource = defaultGcpTokenSource();
    const make = () => new GcpKmsProvider({ keyName, tokenSource, activeKeyTtlMs: 0 });
    return {
      provider: make(),
      rotate: async () => (await gcpRotate(baseUrl, keyName, tokenSource), make()),
      unknownKeyId: keyName.replace(/cryptoKeys\/.*/, `cryptoKeys/missing-${crypto.randomBytes(4).toString("hex")}`),
      close: async () => {},
    };
  },
  "vault-transit": async () => {
    const [addr, token, keyName] = [required("VAULT_ADDR"), required("VAULT_TOKEN"), required("VAULT_TRANSIT_KEY")];
    const make = () => new VaultTransitProvider({ addr, token, keyName, activeKeyTtlMs: 0 });
    return {
      provider: make(),
      rotate: async () => (await vaultRotate(addr, token, keyName), make()),
      unknownKeyId: `missing-${crypto.randomBytes(4).toString("hex")}`,
      close: async () => {},
    };
  },
};

export function realHarnesses(): [string, HarnessFactory][] {
  const wanted = (process.env.KMS_CONTRACT_REAL ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return wanted.map((name) => {
    const factory = realFactories[name as keyof typeof realFactories];
    if (!factory) throw new Error(`KMS_CONTRACT_REAL: unknown provider "${name}"`);
    return [`${name} (real service)`, factory];
  });
}
