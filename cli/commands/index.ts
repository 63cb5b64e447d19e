import type { Command } from "../command";
import { kmsCommands } from "./kms";
import { migrateCommand } from "./migrate";

/** Every command of the CLI. Each lives in its own file in this folder. */
export const commands: Command[] = [...kmsCommands(), migrateCommand];
