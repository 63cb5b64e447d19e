/**
 * Values the Playwright config gives the portal and the tests share: the proxy's service token
 * (a test starts a registry proxy against the portal's internal API) and where the fake ECR API
 * listens (the portal's ECR token exchanges go there, never to AWS). Derived from E2E_PORT so
 * runs on different ports don't collide.
 */
export const e2ePort = () => Number(process.env.E2E_PORT ?? 3100);
export const E2E_PROXY_SERVICE_TOKEN = "e2e-proxy-service-token-0123456789abcdef";
export const E2E_AWS_REGION = "eu-west-1";
export const ecrFakePort = (port = e2ePort()) => port + 1000;
/** The Playwright project whose spec files may start the hosted registry: one at a time, on its one port. */
export const HOSTED_REGISTRY_PROJECT = "hosted-registry";
/** The hosted registry the portal deletes a deleted app's images from (REGISTRY_INTERNAL_URL); the apps test starts it. */
export const hostedRegistryPort = (port = e2ePort()) => port + 2000;
/** The bearer secret the hosted registry's notifications present to the portal (REGISTRY_EVENTS_TOKEN). */
export const E2E_REGISTRY_EVENTS_TOKEN = "e2e-registry-events-token-0123456789abcdef";
/** The PEM key the portal signs hosted-registry tokens with (REGISTRY_TOKEN_KEY_FILE), written by playwright.config.ts. */
export const hostedRegistryKeyFile = (port = e2ePort()) => `.test-data/e2e-${port}-registry-token.key`;
/** The DNS server the single sign-on test starts (DNS_RESOLVER): it answers the domain verification TXT records. */
export const ssoDnsPort = (port = e2ePort()) => port + 3000;
