import { UpstreamError } from "@/lib/oci/errors";
import { assertAllowedUrl, idpRequest, jsonObjectOf, type IdpPolicy } from "./http";

/**
 * An OpenID Provider's discovery document (OpenID Connect Discovery 1.0) and signing keys, as far
 * as single sign-on needs them, with every URL the document names checked against the SSRF rules
 * before it is used.
 */

export interface Discovery {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  userinfoEndpoint?: string;
  tokenAuthMethods: string[];
  scopesSupported: string[];
}

export const discoveryUrl = (issuer: string) => `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;

const URL_FIELDS = ["authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint", "end_session_endpoint", "revocation_endpoint", "introspection_endpoint", "registration_endpoint"] as const;

export async function fetchDiscovery(issuer: string, policy: IdpPolicy): Promise<Discovery> {
  const url = new URL(discoveryUrl(issuer));
  const res = await idpRequest(url, { policy });
  if (res.status !== 200) {
    throw new UpstreamError("protocol", url.host, `${url.href} answered HTTP ${res.status}${res.status === 404 ? ": check the issuer URL (Okta: https://<org>.okta.com; Entra ID: https://login.microsoftonline.com/<tenant>/v2.0)" : ""}.`, { status: res.status });
  }
  const doc = jsonObjectOf(res, "The discovery document", url.host);
  if (doc.issuer !== issuer) {
    const hint = typeof doc.issuer === "string" && doc.issuer.replace(/\/+$/, "") === issuer.replace(/\/+$/, "") ? " (they differ in a trailing slash: use the provider's spelling)" : "";
    throw new UpstreamError("protocol", url.host, `The discovery document names the issuer ${JSON.stringify(doc.issuer)}, not ${issuer}${hint}. Enter the issuer exactly as the provider spells it.`, { status: 200 });
  }
  for (const field of ["authorization_endpoint", "token_endpoint", "jwks_uri"] as const) {
    if (typeof doc[field] !== "string" || !URL.canParse(doc[field])) throw new UpstreamError("protocol", url.host, `The discovery document has no valid ${field}.`, { status: 200 });
  }
  for (const field of URL_FIELDS) {
    const value = doc[field];
    if (value === undefined) continue;
    if (typeof value !== "string" || !URL.canParse(value)) throw new UpstreamError("protocol", url.host, `The discovery document's ${field} is not a URL.`, { status: 200 });
    try {
      await assertAllowedUrl(new URL(value), policy);
    } catch (e) {
      if (e instanceof UpstreamError) e.message = `${field} (${new URL(value).origin}): ${e.message}`;
      throw e;
    }
  }
  const scopes = Array.isArray(doc.scopes_supported) ? doc.scopes_supported.filter((m): m is string => typeof m === "string") : [];
  const methods = Array.isArray(doc.token_endpoint_auth_methods_supported) ? doc.token_endpoint_auth_methods_supported.filter((m): m is string => typeof m === "string") : [];
  return {
    issuer,
    authorizationEndpoint: doc.authorization_endpoint as string,
    tokenEndpoint: doc.token_endpoint as string,
    jwksUri: doc.jwks_uri as string,
    ...(typeof doc.userinfo_endpoint === "string" && { userinfoEndpoint: doc.userinfo_endpoint }),
    // The specification's default when the provider lists none.
    tokenAuthMethods: methods.length ? methods : ["client_secret_basic"],
    scopesSupported: scopes,
  };
}

/** How Portcullis authenticates the client at the token endpoint: Basic when the provider takes it. */
export function clientAuthMethod(d: Pick<Discovery, "tokenAuthMethods">): "client_secret_basic" | "client_secret_post" {
  return d.tokenAuthMethods.includes("client_secret_basic") || !d.tokenAuthMethods.includes("client_secret_post") ? "client_secret_basic" : "client_secret_post";
}

export interface SigningKeys {
  count: number;
  algorithms: string[];
}

export async function fetchSigningKeys(jwksUri: string, policy: IdpPolicy): Promise<SigningKeys> {
  const url = new URL(jwksUri);
  const res = await idpRequest(url, { policy });
  if (res.status !== 200) throw new UpstreamError("protocol", url.host, `${url.href} answered HTTP ${res.status}.`, { status: res.status });
  const doc = jsonObjectOf(res, "The JWKS", url.host);
  const keys = Array.isArray(doc.keys) ? (doc.keys as Array<Record<string, unknown>>) : [];
  const signing = keys.filter((k) => k && typeof k === "object" && ["RSA", "EC", "OKP"].includes(String(k.kty)) && k.use !== "enc");
  if (signing.length === 0) throw new UpstreamError("protocol", url.host, `The JWKS at ${url.href} has no signing key (${keys.length} key${keys.length === 1 ? "" : "s"}, none RSA/EC/OKP for signatures).`, { status: 200 });
  const algorithms = [...new Set(signing.map((k) => (typeof k.alg === "string" ? k.alg : String(k.kty))))];
  return { count: signing.length, algorithms };
}
