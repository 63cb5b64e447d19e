#!/usr/bin/env node
// The `portcullis` bin: loads the TypeScript CLI through tsx so the CLI shares lib/ with the portal.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
