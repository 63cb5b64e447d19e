import { appDeletionPreview, createApp, deleteApp, listApps, renameApp } from "@/lib/apps/operations";
import { listAuditEvents } from "@/lib/audit/list";
import { getCustomerAnalytics, listActivity, listPullActivity } from "@/lib/activity/operations";
import { changeMemberRole, listMembers, removeMember } from "@/lib/teams/members";
import { inviteMember, listPendingInvites, revokeInvite } from "@/lib/teams/invite-member";
import { archiveCustomer, createCustomer, getCustomer, listCustomers } from "@/lib/customers/operations";
import { createLicense, getLicense, licenseFile, licenseSigningKey, revokeLicense } from "@/lib/licenses/operations";
import { createPersonalToken, createServiceAccount, createTeamToken, listTokens, revokeToken } from "@/lib/tokens/operations";
import {
  createRegistry,
  deleteRegistry,
  getRegistry,
  listRegistries,
  rotateRegistryCredentials,
  testDraftRegistry,
  testRegistry,
  updateRegistry,
} from "@/lib/registries/operations";
import { purgeCache } from "@/lib/cache/purge";
import { updateCacheSettings } from "@/lib/cache/settings";
import { getCacheStats } from "@/lib/cache/stats";
import { addAppImage, appImageDetails, appImageSuggestions, listAppImages, removeAppImage, setOnlyListedImages } from "@/lib/apps/images/operations";
import { getLicenseInstructions, getLicenseOverview } from "@/lib/licenses/instructions/operation";
import { createPortalLink } from "@/lib/customer-portal/links";
import { appRegistries, setRegistryApps, setRegistryServesApp } from "@/lib/apps/registry-scope";
import { getSso, saveSso, testSso } from "@/lib/sso/operations";
import { addSsoDomain, listSsoDomains, removeSsoDomain, verifySsoDomain } from "@/lib/sso/domains";

/**
 * Every team-scoped operation. The isolation test walks this list and fails for any operation
 * that has no tenant-isolation case, so a new route can't ship without one.
 */
export const allOperations = [
  listApps,
  createApp,
  renameApp,
  deleteApp,
  appDeletionPreview,
  listAuditEvents,
  listMembers,
  changeMemberRole,
  removeMember,
  inviteMember,
  listPendingInvites,
  revokeInvite,
  listCustomers,
  getCustomer,
  createCustomer,
  archiveCustomer,
  createLicense,
  getLicense,
  revokeLicense,
  licenseFile,
  licenseSigningKey,
  listTokens,
  createPersonalToken,
  createServiceAccount,
  createTeamToken,
  revokeToken,
  listRegistries,
  getRegistry,
  createRegistry,
  testDraftRegistry,
  testRegistry,
  rotateRegistryCredentials,
  updateRegistry,
  deleteRegistry,
  getCacheStats,
  updateCacheSettings,
  purgeCache,
  listActivity,
  listAppImages,
  addAppImage,
  removeAppImage,
  setOnlyListedImages,
  appImageDetails,
  appImageSuggestions,
  setRegistryApps,
  listPullActivity,
  getCustomerAnalytics,
  getLicenseInstructions,
  getLicenseOverview,
  createPortalLink,
  appRegistries,
  setRegistryServesApp,
  getSso,
  testSso,
  saveSso,
  listSsoDomains,
  addSsoDomain,
  verifySsoDomain,
  removeSsoDomain,
] as const;
