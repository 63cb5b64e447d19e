import { describe, expect, it } from "vitest";
import {
  createRegistrySchema,
  deleteRegistrySchema,
  registryNameSchema,
  rotateRegistrySchema,
  testDraftRegistrySchema,
  testRegistrySchema,
  updateRegistrySchema,
} from "./schemas";
import { registryProvider } from "./providers";
import { fromZodError } from "@/lib/errors";

/** The credential schema of each provider, which rotation checks a registry's new credentials with. */
const credentialsSchemas = { other: registryProvider("other").credentials, ecr: registryProvider("ecr").credentials, gcr: registryProvider("gcr").credentials };

const ID = "3f1b0c3e-8a4b-4c1e-9f1a-2b3c4d5e6f70";
const KEY = JSON.stringify({
  type: "service_account",
  project_id: "acme",
  client_email: "puller@acme.iam.gserviceaccount.com",
  private_key: "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
});

/** The field messages a form would show, as the operation runner reports them. */
function fieldErrors(schema: { safeParse(v: unknown): { success: boolean; error?: unknown } }, value: unknown): Record<string, string> {
  const r = schema.safeParse(value);
  if (r.success) return {};
  return fromZodError(r.error as Parameters<typeof fromZodError>[0]).fields ?? {};
}

describe("createRegistrySchema: the documented REST body shapes (docs/contracts.md)", () => {
  it("accepts each provider's shape", () => {
    expect(createRegistrySchema.parse({ provider: "other", endpoint: "ghcr.io", username: "acme", password: "ghp_x" })).toEqual({
      provider: "other",
      endpoint: "ghcr.io",
      name: undefined,
      username: "acme",
      password: "ghp_x",
      test: false,
    });
    expect(
      createRegistrySchema.parse({ provider: "ecr", endpoint: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" }),
    ).toMatchObject({ provider: "ecr", accessKeyId: "AKIAIOSFODNN7EXAMPLE" });
    expect(createRegistrySchema.parse({ provider: "gcr", endpoint: "europe-west1-docker.pkg.dev", jsonKey: KEY, name: "gar" })).toMatchObject({ provider: "gcr", name: "gar" });
  });

  it("trims the endpoint and username, keeps the password as typed but for a pasted trailing newline", () => {
    const v = createRegistrySchema.parse({ provider: "other", endpoint: "  quay.io ", username: " bot ", password: " pass word \n" });
    expect(v).toMatchObject({ endpoint: "quay.io", username: "bot", password: " pass word " });
  });

  it("an empty optional name from a form means no name", () => {
    expect(createRegistrySchema.parse({ provider: "other", endpoint: "quay.io", username: "u", password: "p", name: "  " }).name).toBeUndefined();
  });

  it("names each missing field for the form", () => {
    expect(fieldErrors(createRegistrySchema, { provider: "other", endpoint: "", username: "", password: "" })).toEqual({
      endpoint: "Enter the registry's endpoint, e.g. ghcr.io or harbor.example.com:8443.",
      username: "Enter the username.",
      password: "Enter the password or access token.",
    });
    expect(fieldErrors(createRegistrySchema, { provider: "ecr", endpoint: "x", accessKeyId: "akia-lower", secretAccessKey: "" })).toEqual({
      accessKeyId: "An access key ID is 16 or more uppercase letters and digits, like AKIAIOSFODNN7EXAMPLE.",
      secretAccessKey: "Enter the secret access key.",
    });
  });

  it("refuses an unknown provider with a message that names the choices", () => {
    expect(fieldErrors(createRegistrySchema, { provider: "harbor", endpoint: "x" })).toEqual({ provider: 'Choose a registry type: "other", "ecr" or "gcr".' });
    expect(fieldErrors(createRegistrySchema, { endpoint: "x" })).toHaveProperty("provider");
  });

  it("refuses spaces in an endpoint", () => {
    expect(fieldErrors(createRegistrySchema, { provider: "other", endpoint: "my registry", username: "u", password: "p" })).toEqual({ endpoint: "The endpoint must not contain spaces." });
  });

  it("validates a GCR JSON key as a service-account key without quoting it", () => {
    expect(fieldErrors(createRegistrySchema, { provider: "gcr", endpoint: "gcr.io", jsonKey: "{not json" })).toEqual({
      jsonKey: "The JSON key is not valid JSON. Paste the whole key file Google gave you.",
    });
    const userKey = JSON.stringify({ type: "authorized_user", client_id: "secret-client-id" });
    const errors = fieldErrors(createRegistrySchema, { provider: "gcr", endpoint: "gcr.io", jsonKey: userKey });
    expect(errors.jsonKey).toBe('The JSON key is not a service-account key (its "type" must be "service_account").');
    expect(JSON.stringify(errors)).not.toContain("secret-client-id");
    expect(fieldErrors(createRegistrySchema, { provider: "gcr", endpoint: "gcr.io", jsonKey: "" })).toEqual({ jsonKey: "Paste the JSON key or upload its file." });
  });
});

describe("registry names (aliases in proxy paths)", () => {
  it.each(["ghcr", "acme-prod", "r2"])("accepts %s", (n) => expect(registryNameSchema.parse(n)).toBe(n));
  it.each(["ghcr.io", "Acme", "a", "has space", "with_underscore", "-x", "x-", "a--b", "library", "localhost", "v2", "a:b", "a/b", "x".repeat(41)])(
    "refuses %j",
    (n) => expect(registryNameSchema.safeParse(n).success).toBe(false),
  );
});

describe("createRegistrySchema", () => {
  it('reads the form\'s "Test before saving" checkbox and the image to test', () => {
    const base = { provider: "other", endpoint: "quay.io", username: "u", password: "p" };
    expect(createRegistrySchema.parse({ ...base, test: "on", image: "acme/api:1.2" })).toMatchObject({ test: true, image: "acme/api:1.2" });
    expect(createRegistrySchema.parse(base)).toMatchObject({ test: false });
    expect(createRegistrySchema.parse(base).image).toBeUndefined();
    expect(createRegistrySchema.parse({ ...base, test: true, image: "" })).toMatchObject({ test: true });
    expect(createRegistrySchema.parse({ ...base, image: "" }).image).toBeUndefined();
    expect(createRegistrySchema.parse({ ...base, test: "false" }).test).toBe(false);
  });

  it("refuses an image with spaces", () => {
    expect(fieldErrors(createRegistrySchema, { provider: "other", endpoint: "quay.io", username: "u", password: "p", image: "a b" })).toEqual({
      image: "The image reference must not contain spaces.",
    });
  });
});

describe("testDraftRegistrySchema and testRegistrySchema", () => {
  it("take the same credentials as adding, plus an optional image", () => {
    expect(testDraftRegistrySchema.parse({ provider: "other", endpoint: "quay.io", username: "u", password: "p", image: "a/b:1" })).toMatchObject({ image: "a/b:1" });
    expect(testRegistrySchema.parse({ id: ID })).toEqual({ id: ID, image: undefined });
    expect(fieldErrors(testRegistrySchema, { id: "nope" })).toEqual({ id: "Unknown registry." });
  });
});

describe("rotation", () => {
  it("takes any provider's credential fields and force; the operation checks them against the registry's provider", () => {
    const v = rotateRegistrySchema.parse({ id: ID, username: "u", password: "p", force: "on" });
    expect(v).toMatchObject({ id: ID, force: true, username: "u", password: "p" });
    expect(rotateRegistrySchema.parse({ id: ID, jsonKey: KEY }).force).toBe(false);
    expect(credentialsSchemas.other.safeParse(v).success).toBe(true);
    expect(fieldErrors(credentialsSchemas.ecr, v)).toEqual({ accessKeyId: "Enter the access key ID.", secretAccessKey: "Enter the secret access key." });
    expect(credentialsSchemas.gcr.parse({ jsonKey: KEY })).toEqual({ jsonKey: KEY });
  });
});

describe("update and delete", () => {
  it("a blank or null name removes it", () => {
    expect(updateRegistrySchema.parse({ id: ID, name: "" })).toEqual({ id: ID, name: null });
    expect(updateRegistrySchema.parse({ id: ID, name: null })).toEqual({ id: ID, name: null });
    expect(updateRegistrySchema.parse({ id: ID, name: " prod " })).toEqual({ id: ID, name: "prod" });
    expect(fieldErrors(updateRegistrySchema, { id: ID, name: "Prod.io" })).toHaveProperty("name");
  });

  it("delete needs the typed endpoint", () => {
    expect(fieldErrors(deleteRegistrySchema, { id: ID, confirmEndpoint: " " })).toEqual({ confirmEndpoint: "Type the endpoint to confirm." });
    expect(deleteRegistrySchema.parse({ id: ID, confirmEndpoint: " ghcr.io " })).toEqual({ id: ID, confirmEndpoint: "ghcr.io" });
  });
});
