/**
 * lib/oci: the framework-free OCI layer shared by the portal (connection test, endpoint
 * validation) and the standalone proxy (path scheme, upstream client). No Next.js imports here.
 */
export * from "./errors";
export * from "./names";
export * from "./reference";
export * from "./endpoint";
export { systemResolve, type ResolveFn, type AddressPolicy } from "./address";
export * from "./challenge";
export * from "./credentials";
export { AuthCache, defaultAuthCache, refreshAt } from "./auth-cache";
export { getEcrAuthorization, ecrRegion, type EcrAuthorization } from "./ecr";
export * from "./manifest";
export { RegistryClient, type RegistryClientOptions, type UpstreamResponse, type ProbeResult, type AuthResult, type TagList, type RequestOptions } from "./registry-client";
export { readLimited, discard, toUpstreamError, type NetworkPolicy } from "./transport";
export { testRegistryConnection, explainStatus, type ConnectionTestInput, type ConnectionTestResult, type DiagnosticStep } from "./diagnose";
