import type { Command } from "@/cli/command";
import { databaseKmsDeps, kmsCommands } from "./kms";
import { migrateCommand } from "./migrate";
import { registryConfigCommand } from "./registry";
import { imagesRewriteCommand } from "./images-rewrite";
import { pullSecretCommand } from "./pull-secret";
import { adminBootstrapCommand } from "./admin-bootstrap";
import { hashesCommands } from "./hashes";
import { backupCommand, restoreCommand } from "./backup";
import { appsImagesCommands } from "./apps-images";
import { licensesInstructionsCommand } from "./licenses-instructions";
import { ssoVerifyDomainCommand } from "./sso";
import { disconnectDb, getDb } from "@/lib/db/client";
import { prismaSecretStore } from "@/lib/crypto/prisma-store";
import { combinedSecretStore } from "@/lib/crypto/combined-store";
import { twoFactorSecretStore } from "@/lib/auth/two-factor/secret-store";

// The kms commands work on the sealed secrets of DATABASE_URL or the embedded database: the teams'
// (EncryptedSecret) and the people's TOTP secrets (TwoFactor).
const kmsDeps = databaseKmsDeps(async () => {
  const db = await getDb();
  const store = combinedSecretStore([
    { name: "secret", store: prismaSecretStore(db) },
    { name: "totp", store: twoFactorSecretStore(db) },
  ]);
  return { store, close: disconnectDb };
});

/** Every command of the CLI. Each lives in its own file in this folder. */
export const commands: Command[] = [...kmsCommands(kmsDeps), migrateCommand, imagesRewriteCommand, pullSecretCommand, registryConfigCommand, adminBootstrapCommand(), ...hashesCommands(), backupCommand, restoreCommand, ...appsImagesCommands(), licensesInstructionsCommand(), ssoVerifyDomainCommand()];
