import crypto from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { hashesCommands } from "@/cli/commands/hashes";
import { invoke } from "@/lib/server/operation";
import type { TeamContext } from "@/lib/auth/context";
import { createSession, findSession } from "@/lib/auth/sessions";
import { createLicense } from "@/lib/licenses/operations";
import { checkLicense } from "@/lib/licenses/verify";
import { createTeamToken } from "@/lib/tokens/operations";
import { authenticateBearer } from "@/lib/tokens/authenticate";
import { createTestDatabase, type TestDatabase } from "@/test/support/db";
import { createAppRow, createCustomerRow, memberContext } from "@/test/support/factories";
import { configureTestEnv, updateTestEnv } from "@/test/support/test-env";

/**
 * License IDs and API tokens are hashed under TOKEN_HASH_KEYS, not AUTH_SECRET: rotating
 * AUTH_SECRET leaves them working, and the hash key can be rotated with `portcullis hashes
 * rehash` moving license IDs over from their sealed copies.
 */

const secret = () => crypto.randomBytes(32).toString("base64url");
const K1 = `k1:${secret()}`;
const K2 = `k2:${secret()}`;

const configure = (vars: { AUTH_SECRET?: string; TOKEN_HASH_KEYS?: string }) => updateTestEnv(vars);

let t: TestDatabase;
let admin: TeamContext;
let app: string;
let customerId: string;

beforeAll(async () => {
  configureTestEnv({ name: "hash-keys", vars: { TOKEN_HASH_ACTIVE_KEY: undefined, TOKEN_HASH_KEYS: K1 } });
  t = await createTestDatabase();
  admin = await memberContext(t.db, { role: "admin" });
  app = (await createAppRow(t.db, admin.teamId, { name: "Hashed", slug: "hashed" })).slug;
  customerId = (await createCustomerRow(t.db, admin.teamId, "C")).id;
});
afterAll(() => t?.drop());
beforeEach(() => configure({ TOKEN_HASH_KEYS: K1 }));

const newLicense = () => invoke(createLicense, admin, { customerId, app, type: "paid" });
const pulls = async (licenseId: string) => (await checkLicense(t.db, licenseId)).status === "active";

async function cli(words: string[]) {
  const out: string[] = [];
  const [command] = hashesCommands({ openDb: async () => ({ db: t.db, close: async () => {} }) }).filter((c) => c.path.join(" ") === words.slice(0, 2).join(" "));
  await command!.run(words.slice(2), { out: (l) => out.push(l), err: () => {} });
  return out.join("\n");
}

describe("hash keys", () => {
  it("rotating AUTH_SECRET signs sessions out but leaves licenses and API tokens working", async () => {
    const license = await newLicense();
    const { token } = await invoke(createTeamToken, admin, { name: "ci" });
    const session = await createSession(t.db, { userId: admin.userId, activeTeamId: admin.teamId });

    configure({ AUTH_SECRET: secret() });
    expect(await pulls(license.licenseId)).toBe(true);
    expect((await authenticateBearer(t.db, token))?.teamId).toBe(admin.teamId);
    expect(await findSession(t.db, session.token)).toBeNull();
  });

  it("rotating the hash key: licenses pull throughout, rehash moves them, and the old key can then go", async () => {
    const licenses = await Promise.all([newLicense(), newLicense(), newLicense()]);
    const { token: oldToken } = await invoke(createTeamToken, admin, { name: "before rotation" });

    // Step 1: add k2 and make it active (the last listed); k1 stays configured.
    configure({ TOKEN_HASH_KEYS: `${K1},${K2}` });
    for (const l of licenses) expect(await pulls(l.licenseId)).toBe(true);
    expect(await authenticateBearer(t.db, oldToken)).not.toBeNull();
    const { token: newToken } = await invoke(createTeamToken, admin, { name: "after rotation" });
    expect((await t.db.apiToken.findFirstOrThrow({ where: { name: "after rotation" } })).tokenHashKey).toBe("k2");

    // Step 2: rehash (twice: a second run finds nothing left).
    expect(await cli(["hashes", "rehash", "--dry-run"])).toMatch(/License IDs not on it: [1-9]\d*; to rehash/);
    expect(await cli(["hashes", "rehash", "--batch", "2"])).toMatch(/rehashed [1-9]/);
    expect(await cli(["hashes", "rehash"])).toMatch(/License IDs not on it: 0; rehashed 0/);
    const status = JSON.parse(await cli(["hashes", "status", "--json"])) as { active: string; keys: Array<{ keyId: string; licenses: number; apiTokens: number }> };
    expect(status.active).toBe("k2");
    expect(status.keys.find((k) => k.keyId === "k1")).toMatchObject({ licenses: 0 });
    expect(status.keys.find((k) => k.keyId === "k1")!.apiTokens).toBeGreaterThan(0);

    // Step 3: remove k1. Every license still pulls; a token made under k1 can't be rehashed and stops.
    configure({ TOKEN_HASH_KEYS: K2 });
    for (const l of licenses) expect(await pulls(l.licenseId)).toBe(true);
    expect(await authenticateBearer(t.db, newToken)).not.toBeNull();
    expect(await authenticateBearer(t.db, oldToken)).toBeNull();
    expect(await cli(["hashes", "status"])).toMatch(/k1\s+0\s+\d+\s+not configured/);
  });

  it("hashes made with AUTH_SECRET before the upgrade keep working; rehash moves licenses off them", async () => {
    const license = await newLicense();
    const { token } = await invoke(createTeamToken, admin, { name: "legacy" });
    // What the migration leaves: the old HMAC under AUTH_SECRET, marked with the legacy key id.
    const legacy = (purpose: string, value: string) => crypto.createHmac("sha256", process.env.AUTH_SECRET!).update(`${purpose}\0${value}`).digest("base64url");
    await t.db.license.update({ where: { id: license.id }, data: { licenseIdHash: legacy("license", license.licenseId), licenseIdHashKey: "auth-secret" } });
    await t.db.apiToken.updateMany({ where: { name: "legacy" }, data: { tokenHash: legacy("api-token", token), tokenHashKey: "auth-secret" } });

    expect(await pulls(license.licenseId)).toBe(true);
    expect(await authenticateBearer(t.db, token)).not.toBeNull();

    await cli(["hashes", "rehash"]);
    expect((await t.db.license.findUniqueOrThrow({ where: { id: license.id } })).licenseIdHashKey).toBe("k1");
    configure({ AUTH_SECRET: secret() });
    expect(await pulls(license.licenseId)).toBe(true);
  });

  it("a lookup matches a stored hash only with the key it was made with", async () => {
    const license = await newLicense();
    // The same hash value marked with another key id does not verify.
    await t.db.license.update({ where: { id: license.id }, data: { licenseIdHashKey: "k-other" } });
    expect(await pulls(license.licenseId)).toBe(false);
  });
});
