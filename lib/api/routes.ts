import type { z } from "zod";
import type { AnyOperation } from "@/lib/server/operation";
import { appDeletionPreview, createApp, deleteApp, listApps, renameApp } from "@/lib/apps/operations";
import { addAppImage, appImageDetails, appImageSuggestions, listAppImages, removeAppImage, setOnlyListedImages } from "@/lib/apps/images/operations";
import { setRegistryApps } from "@/lib/apps/registry-scope";
import { listAuditEvents } from "@/lib/audit/list";
import { purgeCache } from "@/lib/cache/purge";
import { updateCacheSettings } from "@/lib/cache/settings";
import { getCacheStats } from "@/lib/cache/stats";
import { archiveCustomer, createCustomer, getCustomer, listCustomers } from "@/lib/customers/operations";
import { createLicense, getLicense, licenseFile, licenseSigningKey, revokeLicense } from "@/lib/licenses/operations";
import {
  createRegistry,
  deleteRegistry,
  getRegistry,
  listRegistries,
  rotateRegistryCredentials,
  testRegistry,
  updateRegistry,
} from "@/lib/registries/operations";
import { inWords, registryProviders } from "@/lib/registries/providers";
import { getSso, saveSso, testSso } from "@/lib/sso/operations";
import { addSsoDomain, listSsoDomains, removeSsoDomain, verifySsoDomain } from "@/lib/sso/domains";
import { getLicenseInstructions } from "@/lib/licenses/instructions/operation";
import { instructionsDtoSchema } from "@/lib/licenses/instructions/schemas";
import { createPortalLink } from "@/lib/customer-portal/links";
import { portalLinkDtoSchema } from "@/lib/customer-portal/schemas";
import { wireSchema } from "@/lib/api/wire";
import {
  appDeletedSchema,
  appDeletionPreviewSchema,
  appSchema,
  auditPageSchema,
  cachePurgedSchema,
  customerSchema,
  deletedSchema,
  licenseSchema,
  licenseWithIdSchema,
  listOf,
  registryCacheSchema,
  registrySchema,
  registryTestSchema,
  signingKeySchema,
  appImageSchema,
  appImagesSchema,
  appImageDetailsSchema,
  appImageSuggestionSchema,
  appImagesSettingSchema,
  registryAppsSchema,
  pullActivityPageSchema,
  customerAnalyticsSchema,
  ssoDomainSchema,
  ssoSchema,
  ssoTestSchema,
} from "./schemas";
import { getCustomerAnalytics, listPullActivity } from "@/lib/activity/operations";

/**
 * The vendor REST API, one entry per method and path. Each entry names the operation it runs
 * (lib/server/operation.ts validates and checks the role), how path parameters map onto the
 * operation's input, and what it answers. The route files under app/api/v1 are one line each
 * (`export const GET = apiHandler("GET /apps")`), the OpenAPI document is generated from this
 * table, and the REST tests walk it, so a route can't exist undocumented or untested.
 */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface ApiRoute {
  method: HttpMethod;
  /** OpenAPI-style path under /api/v1, e.g. "/customers/{id}/licenses". */
  path: string;
  op: AnyOperation;
  /** Unique per route; default: the operation's name. */
  operationId?: string;
  tag: string;
  summary: string;
  description?: string;
  /** Path parameter → the operation input's key (default: the same name). */
  params?: Record<string, string>;
  /** Query parameters (GET, DELETE): the input keys read from the query string. */
  query?: string[];
  /** The request body's schema for the document, when it isn't the operation's input minus path parameters. */
  body?: z.ZodType;
  successStatus?: 200 | 201;
  /** When the route can answer 409, why. */
  conflict?: string;
  /** When the route can answer 503 (a service it depends on is down; nothing changed), why. */
  unavailable?: string;
  /** The success answer's schema (JSON), or "yaml" for a file download. */
  response: z.ZodType | "yaml";
  /** Turns the operation's result into the answer (default: as is). */
  present?: (result: unknown, input: Record<string, unknown>) => unknown;
}

const asList = (result: unknown) => ({ data: result });

export const apiRoutes = [
  {
    method: "GET",
    path: "/apps",
    op: listApps,
    tag: "Apps",
    summary: "List apps",
    response: listOf(appSchema),
    present: asList,
  },
  {
    method: "POST",
    path: "/apps",
    op: createApp,
    tag: "Apps",
    summary: "Create an app",
    description: "The slug is derived from the name unless given. Slugs are unique across Portcullis and appear in image paths.",
    successStatus: 201,
    conflict: "The slug is taken, or belonged to a deleted app (slugs are never reused).",
    response: appSchema,
  },
  {
    method: "PATCH",
    path: "/apps/{id}",
    op: renameApp,
    tag: "Apps",
    summary: "Rename an app",
    description: "Changes the display name. Slugs can't be changed (they are in every image path): `slug`, if sent, must be the current one.",
    response: appSchema,
  },
  {
    method: "GET",
    path: "/apps/{id}/deletion-preview",
    op: appDeletionPreview,
    tag: "Apps",
    summary: "What deleting an app would do",
    description: "The licenses deleting it revokes, and the hosted registry's repositories and tags under `<slug>/` it deletes. Admins only.",
    response: appDeletionPreviewSchema,
  },
  {
    method: "DELETE",
    path: "/apps/{id}",
    op: deleteApp,
    tag: "Apps",
    summary: "Delete an app",
    description:
      "Confirm with the app's slug (`confirmSlug`, query parameter or JSON body). Deletes every tagged image under `<slug>/` in the hosted registry first, then revokes the app's licenses (kept, with an audit event each) and keeps the slug reserved forever: no app of any team can take it again. Admins only.",
    query: ["confirmSlug"],
    unavailable: "The hosted registry can't be reached or refused the deletes; nothing was deleted (a retry continues).",
    response: appDeletedSchema,
  },
  {
    method: "GET",
    path: "/registries",
    op: listRegistries,
    tag: "Registries",
    summary: "List registries",
    description: "The team's external registries. Secrets are never returned.",
    response: listOf(registrySchema),
    present: asList,
  },
  {
    method: "POST",
    path: "/registries",
    op: createRegistry,
    tag: "Registries",
    summary: "Add a registry",
    description: `${inWords(registryProviders.map((p) => p.apiLabel))}. With \`test: true\` the connection test runs first and the registry is saved only when it passes (422 with the test otherwise).`,
    successStatus: 201,
    conflict: "The team already has a registry with this endpoint or name.",
    response: registrySchema,
  },
  {
    method: "GET",
    path: "/registries/{id}",
    op: getRegistry,
    tag: "Registries",
    summary: "Get a registry",
    response: registrySchema,
  },
  {
    method: "PATCH",
    path: "/registries/{id}",
    op: updateRegistry,
    tag: "Registries",
    summary: "Rename a registry",
    description: 'Sets the name used in proxy paths (`proxy/<app>/<name>/<repository>`); `""` or `null` removes it. Admins only.',
    conflict: "Another registry of the team has this name.",
    response: registrySchema,
  },
  {
    method: "DELETE",
    path: "/registries/{id}",
    op: deleteRegistry,
    tag: "Registries",
    summary: "Delete a registry",
    description: "Confirm with the registry's host as shown (`confirmEndpoint`, query parameter or JSON body). Admins only.",
    query: ["confirmEndpoint"],
    response: deletedSchema,
  },
  {
    method: "POST",
    path: "/registries/{id}/test",
    op: testRegistry,
    tag: "Registries",
    summary: "Test a registry's connection",
    description: "Runs the connection test with the stored credentials, optionally fetching one image's manifest. Each step says what failed and why.",
    response: registryTestSchema,
  },
  {
    method: "POST",
    path: "/registries/{id}/credentials",
    op: rotateRegistryCredentials,
    tag: "Registries",
    summary: "Rotate a registry's credentials",
    description: "The new credentials (of the registry's provider) are tested first and replace the old ones only when the test passes, unless `force`. Admins only.",
    response: registrySchema,
  },
  {
    method: "GET",
    path: "/registries/{id}/cache",
    op: getCacheStats,
    tag: "Registries",
    summary: "Get a registry's proxy cache",
    description:
      "Its settings (`enabled`, `maxBytes`, `maxStaleSeconds`), what is stored (`entries`, `storedBytes`) and the traffic the proxies reported since `since`: hits, misses, stale answers, `hitRatio`, bytes served from the cache and from the upstream. `egressSaved` is the upstream egress the cache saved.",
    response: registryCacheSchema,
  },
  {
    method: "PATCH",
    path: "/registries/{id}/cache",
    op: updateCacheSettings,
    tag: "Registries",
    summary: "Change a registry's proxy cache settings",
    description:
      "Any of `enabled`, `maxBytes` (at least 1 MiB; `null` removes the cap) and `maxStaleSeconds` (0 to 30 days); what is absent stays. Turning caching off purges the copies. Answers the cache as `GET` does.",
    unavailable: "Turning caching off must delete the copies in the cache store, which can't be reached; nothing changed.",
    response: registryCacheSchema,
  },
  {
    method: "POST",
    path: "/registries/{id}/cache/purge",
    op: purgeCache,
    tag: "Registries",
    summary: "Purge a registry's proxy cache",
    description:
      "Removes every copy and last confirmed tag of the registry, or with `repository` (an upstream repository, e.g. `library/nginx`) only that repository's; their next pulls go to the upstream. Answers what was removed.",
    unavailable: "The cache store can't be reached; nothing was purged.",
    response: cachePurgedSchema,
  },
  {
    method: "GET",
    path: "/customers",
    op: listCustomers,
    tag: "Customers",
    summary: "List customers",
    description: "Newest first, each with its licenses (status and hint; never the license ID).",
    query: ["includeArchived"],
    response: listOf(customerSchema),
    present: asList,
  },
  {
    method: "POST",
    path: "/customers",
    op: createCustomer,
    tag: "Customers",
    summary: "Create a customer",
    successStatus: 201,
    response: customerSchema,
  },
  {
    method: "GET",
    path: "/customers/{id}",
    op: getCustomer,
    tag: "Customers",
    summary: "Get a customer",
    response: customerSchema,
  },
  {
    method: "POST",
    path: "/customers/{id}/archive",
    op: archiveCustomer,
    tag: "Customers",
    summary: "Archive a customer",
    description: "Revokes all of the customer's licenses in the same change. Archiving an archived customer changes nothing.",
    response: customerSchema,
  },
  {
    method: "POST",
    path: "/customers/{id}/licenses",
    op: createLicense,
    tag: "Licenses",
    summary: "Issue a license",
    description:
      "Creates a license for the customer and an app. The answer carries the license ID: the customer's registry credential (username `LICENSE_ID`, the ID as password).",
    params: { id: "customerId" },
    successStatus: 201,
    conflict: "The customer is archived.",
    response: licenseWithIdSchema,
  },
  {
    method: "GET",
    path: "/licenses/{id}",
    op: getLicense,
    tag: "Licenses",
    summary: "Get a license with its ID",
    description: "Developer role and up: a license ID is a credential.",
    response: licenseWithIdSchema,
  },
  {
    method: "POST",
    path: "/licenses/{id}/revoke",
    op: revokeLicense,
    tag: "Licenses",
    summary: "Revoke a license",
    description: "Pulls with it are refused from the next request on. Revoking a revoked license changes nothing.",
    response: licenseSchema,
  },
  {
    method: "GET",
    path: "/licenses/{id}/file",
    op: licenseFile,
    tag: "Licenses",
    summary: "Download the signed license file",
    description:
      "YAML signed with the team's Ed25519 key (`GET /license-signing-key`). `signature.value` is the Ed25519 signature of the canonical JSON (sorted keys, no whitespace) of `{apiVersion, kind, spec}`.",
    response: "yaml",
  },
  {
    method: "GET",
    path: "/licenses/{id}/instructions",
    op: getLicenseInstructions,
    tag: "Licenses",
    summary: "Get a license's install instructions",
    description:
      "What to send the customer: `docker login` for the proxy (and the hosted registry when the app has hosted images), every image reference, the `<slug>-registry` pull secret (also in `additionalNamespaces`), Helm values, a `helm install oci://…` line when the app ships a chart, and the `portcullis images rewrite` command. Developer role and up: they hold the license ID.",
    query: ["namespace", "additionalNamespaces"],
    response: instructionsDtoSchema.meta({ id: "LicenseInstructions" }),
  },
  {
    method: "POST",
    path: "/licenses/{id}/portal-link",
    op: createPortalLink,
    tag: "Licenses",
    summary: "Make a customer portal link",
    description:
      "A link to send the customer: it opens the customer portal (the app's images, install instructions, license file, pull secret and pull history of this license) once, and expires after `expiresInDays` (default 7). Only its hash is stored. Developer role and up.",
    successStatus: 201,
    conflict: "The license is revoked or expired.",
    response: wireSchema(portalLinkDtoSchema).meta({ id: "PortalLink" }),
  },
  {
    method: "GET",
    path: "/license-signing-key",
    op: licenseSigningKey,
    tag: "Licenses",
    summary: "Get the license signing public key",
    description: "The team's Ed25519 public key. Ship it with your installer to verify license files offline.",
    response: signingKeySchema,
  },
  {
    method: "GET",
    path: "/audit-events",
    op: listAuditEvents,
    tag: "Audit events",
    summary: "List audit events",
    description:
      "Newest first, paged (`page` from 1, `pageSize` up to 100), optionally filtered by `action`, `actor` (an email, or `system`), `target` (part of the target's name, any case) and the days `from` and `to` (YYYY-MM-DD, UTC, inclusive).",
    query: ["page", "pageSize", "action", "actor", "target", "from", "to"],
    response: auditPageSchema,
    present: (result) => {
      const { events, ...page } = result as { events: unknown[] };
      return { data: events, ...page };
    },
  },
  {
    method: "GET",
    path: "/apps/{id}/images",
    op: listAppImages,
    tag: "Apps",
    summary: "List an app's images",
    description:
      "Each with `pullReference`, what a customer pulls with their license: `PROXY_HOST/proxy/<slug>/<image>` for an image of a team registry, `REGISTRY_HOST/<slug>/<image>` for one of the hosted registry.",
    response: appImagesSchema,
  },
  {
    method: "POST",
    path: "/apps/{id}/images",
    op: addAppImage,
    tag: "Apps",
    summary: "Add an image to an app",
    description:
      "`reference`: an image of one of the team's registries as your manifests name it (`quay.io/acme/api:1.4`, `<registry name>/<repository>:<tag>`), or `REGISTRY_HOST/<slug>/<image>:<tag>` of the hosted registry. With `onlyListedImages` on, the app's licenses pull only listed repositories.",
    successStatus: 201,
    conflict: "The image's repository is already listed.",
    response: appImageSchema,
  },
  {
    method: "PATCH",
    path: "/apps/{id}/images",
    op: setOnlyListedImages,
    tag: "Apps",
    summary: "Turn \"only listed images\" on or off",
    description: "On (the default for new apps): when the app lists images, its licenses pull only those repositories through the proxy; a pull of another is refused with `DENIED`.",
    response: appImagesSettingSchema,
  },
  {
    method: "DELETE",
    path: "/apps/{id}/images/{imageId}",
    op: removeAppImage,
    tag: "Apps",
    summary: "Remove an image from an app",
    response: deletedSchema,
  },
  {
    method: "GET",
    path: "/apps/{id}/images/{imageId}/details",
    op: appImageDetails,
    tag: "Apps",
    summary: "What an app's image is now",
    description: "Read live from its registry with the connection test's steps: the tag's digest, platforms and compressed size, or which step failed.",
    response: appImageDetailsSchema,
  },
  {
    method: "GET",
    path: "/apps/{id}/image-suggestions",
    op: appImageSuggestions,
    tag: "Apps",
    summary: "Images an app ships but doesn't list",
    description: "Read from the hosted registry's pushes under the app's slug and the proxy's pulls by its licenses, newest first. Add one by sending its `reference` to `POST /apps/{id}/images`.",
    response: listOf(appImageSuggestionSchema),
    present: asList,
  },
  {
    method: "PATCH",
    path: "/registries/{id}/apps",
    op: setRegistryApps,
    tag: "Registries",
    summary: "Choose which apps may pull from a registry",
    description: "`allApps: true` (the default) or `allApps: false` with `appIds`. Licenses of other apps are refused with `DENIED`. Admins only.",
    response: registryAppsSchema,
  },
  {
    method: "GET",
    path: "/activity",
    op: listPullActivity,
    tag: "Activity",
    summary: "List pull attempts",
    description:
      "Customers' pull attempts through the proxy, newest first, paged (`page` from 1, `pageSize` up to 100): every manifest fetched, and every attempt that was refused or ended early (blobs included), with its `reason` code. Refused attempts of one license (or, for a license nobody issued, one app), reason and reference are folded per minute (`count`). Filter by `appId`, `customerId`, `licenseId` and `result`.",
    query: ["appId", "customerId", "licenseId", "result", "page", "pageSize"],
    response: pullActivityPageSchema,
    present: (result) => {
      const { attempts, ...page } = result as { attempts: unknown[] };
      return { data: attempts, ...page };
    },
  },
  {
    method: "GET",
    path: "/customers/{id}/analytics",
    op: getCustomerAnalytics,
    tag: "Activity",
    summary: "A customer's delivery analytics",
    description:
      "Through the proxy, over the last `days` days (default 30, up to 366; UTC days, today included): manifests fetched (`pulls`) and bytes of completed transfers per day and per image, refused and incomplete attempts counted apart; the first and last pull ever; and every manifest digest the customer fetched with the tags that resolved to it (which versions they run).",
    query: ["days"],
    response: customerAnalyticsSchema,
  },
  {
    method: "GET",
    path: "/sso",
    op: getSso,
    tag: "Single sign-on",
    summary: "Get the team's single sign-on",
    description: "The OpenID Connect configuration (`settings`, null until configured) and the redirect URI to register at the identity provider. The client secret is never returned.",
    response: ssoSchema,
  },
  {
    method: "PUT",
    path: "/sso",
    op: saveSso,
    tag: "Single sign-on",
    summary: "Configure single sign-on",
    description:
      "Runs the connection test first (discovery document, signing keys, client ID and secret) and saves only when it passes (422 with the test otherwise). Omit `clientSecret` to keep the stored one. `enforce` needs a verified domain.",
    response: ssoSchema,
  },
  {
    method: "POST",
    path: "/sso/test",
    op: testSso,
    tag: "Single sign-on",
    summary: "Test an identity provider connection",
    description: "Fetches `<issuer>/.well-known/openid-configuration` (its issuer must match), the JWKS, and posts an invalid authorization code to the token endpoint: `invalid_grant` proves the client ID and secret. Nothing is saved. Omit `clientSecret` to test the stored one.",
    response: ssoTestSchema,
  },
  {
    method: "GET",
    path: "/sso/domains",
    op: listSsoDomains,
    tag: "Single sign-on",
    summary: "List claimed email domains",
    description: "Each with the TXT record that proves it and its status (pending, verified).",
    response: listOf(ssoDomainSchema),
    present: asList,
  },
  {
    method: "POST",
    path: "/sso/domains",
    op: addSsoDomain,
    tag: "Single sign-on",
    summary: "Claim an email domain",
    description: "Answers the TXT record to publish: `_portcullis-challenge.<domain>` with the value `portcullis-verification=<token>`.",
    successStatus: 201,
    conflict: "The team already claimed it, or another team verified it.",
    response: ssoDomainSchema,
  },
  {
    method: "POST",
    path: "/sso/domains/{id}/verify",
    op: verifySsoDomain,
    tag: "Single sign-on",
    summary: "Verify a claimed domain",
    description: "Looks the TXT record up; 422 when it is missing or has another value.",
    conflict: "Another team verified the domain first.",
    unavailable: "The DNS server did not answer.",
    response: ssoDomainSchema,
  },
  {
    method: "DELETE",
    path: "/sso/domains/{id}",
    op: removeSsoDomain,
    tag: "Single sign-on",
    summary: "Remove a claimed domain",
    conflict: "It is the team's last verified domain and single sign-on is enforced.",
    response: deletedSchema,
  },
] as const satisfies readonly ApiRoute[];

export type ApiRouteKey = `${(typeof apiRoutes)[number]["method"]} ${(typeof apiRoutes)[number]["path"]}`;

export const routeKey = (r: Pick<ApiRoute, "method" | "path">) => `${r.method} ${r.path}`;

export function findApiRoute(key: string): ApiRoute {
  const route = (apiRoutes as readonly ApiRoute[]).find((r) => routeKey(r) === key);
  if (!route) throw new Error(`No API route ${key} in lib/api/routes.ts`);
  return route;
}

/** The path's parameter names, in order: "/customers/{id}/licenses" → ["id"]. */
export const pathParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
