import crypto from "node:crypto";
import { allowPrivateHosts } from "@/lib/config/env";
import { AppError } from "@/lib/errors";
import type { DiagnosticStep } from "@/lib/oci/diagnose";
import { StepFailed, stepRunner } from "@/lib/oci/diagnostic-steps";
import { UpstreamError } from "@/lib/oci/errors";
import { clientAuthMethod, discoveryUrl, fetchDiscovery, fetchSigningKeys, type Discovery } from "./discovery";
import { idpRequest, type IdpPolicy } from "./http";
import type { SsoTestResult } from "./dto";

/**
 * The identity provider connection test, run before single sign-on is saved: the discovery
 * document (and its issuer), the signing keys, and the client's credentials — proven at the token
 * endpoint with an authorization code that can't be valid: `invalid_grant` means the provider
 * accepted the client ID and secret and only refused the code; `invalid_client` (or a 401) means
 * it did not accept them. Steps stop at the first failure, each with its timing.
 */

export interface SsoConnection {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

const explain = (e: unknown) => (e instanceof UpstreamError || e instanceof AppError ? e.message : "The step failed unexpectedly.");

/** The token endpoint's answer to a made-up code, in words: did it accept the client? */
async function checkClient(d: Discovery, c: SsoConnection, policy: IdpPolicy): Promise<{ status: number; detail: string; ok: boolean }> {
  const method = clientAuthMethod(d);
  const form = new URLSearchParams({ grant_type: "authorization_code", code: `portcullis-test-${crypto.randomBytes(12).toString("hex")}`, redirect_uri: c.redirectUri });
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (method === "client_secret_basic") {
    // RFC 6749 §2.3.1: each part form-encoded before Basic.
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret)}`).toString("base64")}`;
  } else {
    form.set("client_id", c.clientId);
    form.set("client_secret", c.clientSecret);
  }
  const url = new URL(d.tokenEndpoint);
  const res = await idpRequest(url, { method: "POST", headers, body: form.toString(), policy });
  let error: string | undefined;
  try {
    const body = JSON.parse(res.body.toString("utf8")) as { error?: unknown };
    if (typeof body.error === "string") error = body.error;
  } catch {
    // Not JSON: judged by the status below.
  }
  const how = method === "client_secret_basic" ? "HTTP Basic" : "form fields";
  if (error === "invalid_grant") return { ok: true, status: res.status, detail: `The provider accepted the client ID and secret (${how}) and refused only the test code (invalid_grant).` };
  if (error === "invalid_client" || res.status === 401) {
    return { ok: false, status: res.status, detail: `The provider refused the client ID or secret (${error ?? `HTTP ${res.status}`}). Copy both again from the provider's app settings.` };
  }
  if (error === "unauthorized_client") return { ok: false, status: res.status, detail: "The provider does not let this client use the authorization code flow (unauthorized_client): enable it for the app." };
  if (error === "invalid_request" && /redirect/i.test(res.body.toString("utf8"))) {
    return { ok: false, status: res.status, detail: `The provider refused the redirect URI: register ${c.redirectUri} for the app.` };
  }
  return { ok: false, status: res.status, detail: `The token endpoint answered HTTP ${res.status}${error ? ` (${error})` : ""}, not invalid_grant: the client credentials could not be confirmed.` };
}

export async function testSsoConnection(c: SsoConnection, opts: { policy?: IdpPolicy } = {}): Promise<SsoTestResult> {
  const policy = opts.policy ?? { allowPrivate: allowPrivateHosts() };
  const steps: DiagnosticStep[] = [];
  const step = stepRunner(steps, explain);

  let summary: string;
  try {
    const discovery = await step("Discovery document", async () => {
      const d = await fetchDiscovery(c.issuer, policy);
      return { value: d, status: 200, detail: `${discoveryUrl(c.issuer)} names this issuer; token endpoint ${new URL(d.tokenEndpoint).origin}${new URL(d.tokenEndpoint).pathname}.` };
    });
    await step("Signing keys (JWKS)", async () => {
      const k = await fetchSigningKeys(discovery.jwksUri, policy);
      return { value: k, status: 200, detail: `${k.count} signing key${k.count === 1 ? "" : "s"} (${k.algorithms.join(", ")}) at ${discovery.jwksUri}.` };
    });
    await step("Client ID and secret", async () => {
      const r = await checkClient(discovery, c, policy);
      return { value: undefined, ...r };
    });
    summary = "Connected: the provider is reachable, publishes signing keys and accepts the client ID and secret.";
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e;
    const failed = steps.find((s) => !s.ok)!;
    summary = `${failed.name} failed: ${failed.detail}`;
  }
  return { ok: steps.length === 3 && steps.every((s) => s.ok), summary, steps, testedAt: new Date() };
}

/** The test failed, so nothing was saved: a 422 that carries the test, so the caller can show every step. */
export class SsoTestFailedError extends AppError {
  readonly test: SsoTestResult;
  constructor(test: SsoTestResult) {
    super("validation_failed", `The connection test failed, so single sign-on was not saved. ${test.summary}`);
    this.name = "SsoTestFailedError";
    this.test = test;
  }
}
