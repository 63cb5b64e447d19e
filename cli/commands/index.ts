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
import { disconnectDb, getDb } from "@/lib/db/client";
import { prismaSecretStore } from "@/lib/crypto/prisma-store";

// The kms commands work on the EncryptedSecret table of DATABASE_URL or the embedded database.
const kmsDeps = databaseKmsDeps(async () => ({ store: prismaSecretStore(await getDb()), close: disconnectDb }));

/** Every command of the CLI. Each lives in its own file in this folder. */
export const commands: Command[] = [...kmsCommands(kmsDeps), migrateCommand, imagesRewriteCommand, pullSecretCommand, registryConfigCommand, adminBootstrapCommand(), ...hashesCommands(), backupCommand, restoreCommand, ...appsImagesCommands()];
