/**
 * Registry test harness: real CNCF Distribution, skopeo, OCI layouts written in Node, and a Docker
 * token service. Everything binds 127.0.0.1. See README.md next to this file.
 */
export { requireBinaries, findBinary, isCI } from "./binaries";
export { startDistribution, type Distribution, type DistributionOptions, type TokenAuthConfig } from "./distribution";
export { buildOciImage, MT, type BuildOptions, type BuiltImage, type LayerSpec } from "./oci-image";
export { pushImage, pullImage, skopeoInspect, type Creds } from "./skopeo";
export { startTokenServer, generateSigningCert, libtrustKeyId, signJwt, type TokenServer, type TokenServerOptions } from "./token-server";
export { freePort, cleanEnv } from "./process";
