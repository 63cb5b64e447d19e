import { z } from "zod";
import type { Db, Tx } from "@/lib/db/client";
import { Prisma, type Registry } from "@/lib/generated/prisma/client";
import type { RegistryCredentials } from "@/lib/oci/credentials";
import { defineOperation } from "@/lib/server/operation";
import { findOr404 } from "@/lib/server/find-or-404";
import { defineTeamChange } from "@/lib/server/team-change";
import { diagnosticStepSchema } from "@/lib/oci/diagnose";
import { AppError, fromZodError, notFound } from "@/lib/errors";
import { deleteRegistrySecrets, loadRegistryCredentials, secretFieldOf, storeRegistrySecret } from "@/lib/registries/secret";
import { ConnectionTestFailedError, displayHost, resolveRegistryEndpoint, runConnectionTest } from "@/lib/registries/connection";
import type { RegistryDto, RegistryTestResult } from "@/lib/registries/dto";
import { ociCredentials, registryProvider, storedCredentials, type RegistryProviderName } from "@/lib/registries/providers";
import {
  createRegistrySchema,
  deleteRegistrySchema,
  getRegistrySchema,
  rotateRegistrySchema,
  testDraftRegistrySchema,
  testRegistrySchema,
  updateRegistrySchema,
} from "@/lib/registries/schemas";

/**
 * A team's external registries. Secrets go straight from the input into
 * lib/registries/secret (sealed by lib/crypto) and never come back out of these operations:
 * the DTO has the username (or access key ID / client_email) and when and by whom the
 * credentials were set, nothing more.
 */

export type { RegistryDto } from "@/lib/registries/dto";

type TestedManifest = NonNullable<RegistryTestResult["manifest"]>;

function toRegistryDto(r: Registry): RegistryDto {
  return {
    id: r.id,
    provider: r.provider,
    name: r.name,
    endpoint: r.endpoint,
    host: displayHost(r.endpoint),
    endpointInput: r.endpointInput,
    username: r.username,
    createdAt: r.createdAt,
    createdByEmail: r.createdByEmail,
    credentialsUpdatedAt: r.credentialsUpdatedAt,
    credentialsUpdatedBy: r.credentialsUpdatedBy,
    credentialsVersion: r.credentialsVersion,
    allowedRealmHosts: r.allowedRealmHosts,
    lastTest:
      r.lastTestAt && r.lastTestOk !== null
        ? {
            ok: r.lastTestOk,
            at: r.lastTestAt,
            summary: r.lastTestSummary ?? "",
            steps: storedSteps.parse(r.lastTestSteps),
            ...(r.lastTestImage && { image: r.lastTestImage }),
            ...(r.lastTestManifest && typeof r.lastTestManifest === "object" && { manifest: r.lastTestManifest as unknown as TestedManifest }),
          }
        : null,
  };
}

const lastTestColumns = (t: RegistryTestResult) => ({
  lastTestOk: t.ok,
  lastTestAt: t.testedAt,
  lastTestSummary: t.summary.slice(0, 2000),
  lastTestSteps: t.steps as unknown as object,
  // Cleared when a test has none, so the stored test is always one test's.
  lastTestImage: t.image ?? null,
  lastTestManifest: t.manifest ? (t.manifest as unknown as object) : Prisma.DbNull,
});

/** The steps of the last test as stored (JSON); a row written by an older version reads as none. */
const storedSteps = z.array(diagnosticStepSchema).catch([]);

/** What an audit event may say about a test: outcome and where it stopped, never a detail that could quote a server. */
const testAudit = (t: RegistryTestResult) => ({ ok: t.ok, ...(t.image && { image: t.image }), ...(!t.ok && { failedStep: t.steps.find((s) => !s.ok)?.name }) });

/** A connection test of credentials typed in a form or sent to the REST API, before anything is stored. */
const testFormCredentials = (endpoint: string, input: { provider: RegistryProviderName; image?: string; allowedRealmHosts?: string[] }) =>
  runConnectionTest(endpoint, ociCredentials(input.provider, input, endpoint), input.image, { allowedRealmHosts: input.allowedRealmHosts });

/** A connection test at a stored registry's endpoint, trusting its token-service hosts. */
const testStoredRegistry = (registry: Registry, credentials: RegistryCredentials, image: string | undefined) =>
  runConnectionTest(registry.endpoint, credentials, image, { allowedRealmHosts: registry.allowedRealmHosts });

const findRegistry = (db: Db | Tx, teamId: string, id: string): Promise<Registry> =>
  findOr404(db.registry.findFirst({ where: { id, teamId } }), "That registry does not exist.");

const nameTakenMessage = (name: string) => `Another registry of this team is named "${name}".`;

const nameTaken = (name: string) => new AppError("conflict", nameTakenMessage(name), { fields: { name: nameTakenMessage(name) } });

/** What a registry's audit events name: the registry, by its host. */
const registryTarget = (r: Registry) => ({ targetType: "registry", targetId: r.id, targetLabel: displayHost(r.endpoint) });

/** The field errors for a taken endpoint or name, found by asking (unique violations don't say which). */
async function duplicateErrors(db: Db | Tx, teamId: string, endpoint: string, name: string | null) {
  const fields: Record<string, string> = {};
  if (await db.registry.findFirst({ where: { teamId, endpoint }, select: { id: true } })) {
    fields.endpoint = `This team already has ${displayHost(endpoint)}. Rotate its credentials instead of adding it again.`;
  }
  if (name && (await db.registry.findFirst({ where: { teamId, name }, select: { id: true } }))) fields.name = nameTakenMessage(name);
  return fields;
}

export const listRegistries = defineOperation({
  name: "registries.list", permission: "read", input: z.object({}).optional(),
  async run(ctx) {
    const rows = await ctx.db.registry.findMany({ where: { teamId: ctx.teamId }, orderBy: { createdAt: "asc" } });
    return rows.map(toRegistryDto);
  },
});

/** One registry of the caller's team (404 for any other id). */
export const getRegistry = defineOperation({
  name: "registries.get", permission: "read", input: getRegistrySchema,
  async run(ctx, input) {
    return toRegistryDto(await findRegistry(ctx.db, ctx.teamId, input.id));
  },
});

export const createRegistry = defineTeamChange({
  name: "registries.create", permission: "write", input: createRegistrySchema,
  async prepare(ctx, input) {
    const endpoint = await resolveRegistryEndpoint(input.provider, input.endpoint);
    const name = input.name ?? null;
    const taken = await duplicateErrors(ctx.db, ctx.teamId, endpoint.baseUrl, name);
    if (Object.keys(taken).length) throw new AppError("conflict", Object.values(taken)[0]!, { fields: taken });
    let test: RegistryTestResult | undefined;
    if (input.test) {
      test = await testFormCredentials(endpoint.baseUrl, input);
      if (!test.ok) throw new ConnectionTestFailedError(test, "the registry was not saved");
    }
    return { endpoint: endpoint.baseUrl, name, test, stored: storedCredentials(input.provider, input) };
  },
  async change(tx, ctx, input, { endpoint, name, test, stored }) {
    const registry = await tx.registry.create({
      data: {
        teamId: ctx.teamId,
        provider: input.provider,
        name,
        endpoint,
        endpointInput: input.endpoint,
        username: stored.username,
        createdById: ctx.userId,
        createdByEmail: ctx.email,
        credentialsUpdatedBy: ctx.email,
        allowedRealmHosts: input.allowedRealmHosts ?? [],
        ...(test && lastTestColumns(test)),
      },
    });
    await storeRegistrySecret(tx, { teamId: ctx.teamId, registryId: registry.id, field: secretFieldOf(input.provider) }, stored.secret);
    const metadata = { provider: registry.provider, name: registry.name, username: registry.username, tested: !!test };
    return { result: toRegistryDto(registry), audit: { action: "registry.create", ...registryTarget(registry), metadata } };
  },
  async conflict(ctx, _input, { endpoint, name }) {
    // Another request added the same endpoint or name between the check and the insert.
    const fields = await duplicateErrors(ctx.db, ctx.teamId, endpoint, name);
    return new AppError("conflict", Object.values(fields)[0] ?? "That registry was just added by someone else.", { fields });
  },
});

/** The add dialog's test: credentials from the form, nothing stored, nothing audited. */
export const testDraftRegistry = defineOperation({
  name: "registries.test_draft", permission: "write", input: testDraftRegistrySchema,
  async run(_ctx, input) {
    const endpoint = await resolveRegistryEndpoint(input.provider, input.endpoint, { checkAddress: false });
    return testFormCredentials(endpoint.baseUrl, input);
  },
});

/** Tests the stored credentials; the result and its time are stored and shown in the table. */
export const testRegistry = defineTeamChange({
  name: "registries.test", permission: "write", input: testRegistrySchema,
  async prepare(ctx, input) {
    const registry = await findRegistry(ctx.db, ctx.teamId, input.id);
    const test = await testStoredRegistry(registry, await loadRegistryCredentials(ctx.db, registry), input.image);
    return { registry, test };
  },
  async change(tx, ctx, _input, { registry, test }) {
    // Only if the credentials are still the ones tested: a rotation meanwhile has its own result.
    const updated = await tx.registry.updateMany({
      where: { id: registry.id, teamId: ctx.teamId, credentialsVersion: registry.credentialsVersion },
      data: lastTestColumns(test),
    });
    if (updated.count === 0 && !(await tx.registry.findFirst({ where: { id: registry.id, teamId: ctx.teamId }, select: { id: true } }))) {
      throw notFound("That registry was deleted while it was being tested.");
    }
    return { result: test, audit: { action: "registry.test", ...registryTarget(registry), metadata: testAudit(test) } };
  },
});

/**
 * Rotation (admins): the new credentials are tested first and replace the old ones only when
 * the test passes, unless `force`. The replacement is one transaction — the sealed secret, the
 * username, credentialsVersion (so caches of the old credentials know they are stale) and one
 * audit event — so a reader sees either the old credentials or the new ones, never a mix.
 */
export const rotateRegistryCredentials = defineTeamChange({
  name: "registries.rotate", permission: "admin", input: rotateRegistrySchema,
  async prepare(ctx, input) {
    const registry = await findRegistry(ctx.db, ctx.teamId, input.id);
    const parsed = registryProvider(registry.provider).credentials.safeParse(input);
    if (!parsed.success) throw fromZodError(parsed.error);
    const creds = parsed.data;
    const test = await testStoredRegistry(registry, ociCredentials(registry.provider, creds, registry.endpoint), input.image);
    if (!test.ok && !input.force) throw new ConnectionTestFailedError(test, "the old credentials were kept");
    return { registry, creds, test };
  },
  async change(tx, ctx, input, { registry, creds, test }) {
    await findRegistry(tx, ctx.teamId, registry.id);
    const { username, secret } = storedCredentials(registry.provider, creds);
    await storeRegistrySecret(tx, { teamId: ctx.teamId, registryId: registry.id, field: secretFieldOf(registry.provider) }, secret);
    const updated = await tx.registry.update({
      where: { id: registry.id },
      data: {
        username,
        credentialsUpdatedAt: new Date(),
        credentialsUpdatedBy: ctx.email,
        credentialsVersion: { increment: 1 },
        ...lastTestColumns(test),
      },
    });
    const metadata = {
      forced: input.force && !test.ok,
      test: testAudit(test),
      credentialsVersion: updated.credentialsVersion,
      ...(username !== registry.username && { username: { from: registry.username, to: username } }),
    };
    return { result: toRegistryDto(updated), audit: { action: "registry.rotate", ...registryTarget(registry), metadata } };
  },
});

/** Sets or removes the name (alias in proxy paths). Admins only: it changes the paths customers pull. */
export const updateRegistry = defineTeamChange({
  name: "registries.update", permission: "admin", input: updateRegistrySchema,
  async change(tx, ctx, input) {
    const registry = await findRegistry(tx, ctx.teamId, input.id);
    const name = input.name !== undefined && input.name !== registry.name ? input.name : undefined;
    const hosts = input.allowedRealmHosts;
    const hostsChanged = hosts !== undefined && hosts.join(",") !== registry.allowedRealmHosts.join(",");
    if (name === undefined && !hostsChanged) return { result: toRegistryDto(registry) };
    if (name && (await tx.registry.findFirst({ where: { teamId: ctx.teamId, name, id: { not: registry.id } }, select: { id: true } }))) {
      throw nameTaken(name);
    }
    const updated = await tx.registry.update({
      where: { id: registry.id },
      data: { ...(name !== undefined && { name }), ...(hostsChanged && { allowedRealmHosts: hosts }) },
    });
    const metadata = {
      ...(name !== undefined && { name: { from: registry.name, to: name } }),
      ...(hostsChanged && { allowedRealmHosts: { from: registry.allowedRealmHosts, to: hosts } }),
    };
    return { result: toRegistryDto(updated), audit: { action: "registry.update", ...registryTarget(registry), metadata } };
  },
  conflict: (_ctx, input) => nameTaken(input.name ?? ""),
});

/** What a person may type to confirm: the host as shown, the normalised endpoint, or what was typed when adding. */
function confirms(registry: Registry, typed: string): boolean {
  const t = typed.trim().toLowerCase().replace(/\/+$/, "");
  return [displayHost(registry.endpoint), registry.endpoint, registry.endpointInput.trim().replace(/\/+$/, "")].some((c) => c.toLowerCase() === t);
}

export const deleteRegistry = defineTeamChange({
  name: "registries.delete", permission: "admin", input: deleteRegistrySchema,
  async change(tx, ctx, input) {
    const registry = await findRegistry(tx, ctx.teamId, input.id);
    if (!confirms(registry, input.confirmEndpoint)) {
      const message = `Type ${displayHost(registry.endpoint)} to confirm deletion.`;
      throw new AppError("validation_failed", message, { fields: { confirmEndpoint: message } });
    }
    await deleteRegistrySecrets(tx, ctx.teamId, registry.id);
    await tx.registry.delete({ where: { id: registry.id } });
    const metadata = { provider: registry.provider, name: registry.name, username: registry.username };
    return { result: { id: registry.id }, audit: { action: "registry.delete", ...registryTarget(registry), metadata } };
  },
});
