#!/usr/bin/env node
// The `portcullis` bin: loads the TypeScript CLI through tsx so the CLI shares lib/ with the portal.
// The repository's tsconfig.json (its "@/…" paths), wherever the command is run from.
import { register } from "tsx/esm/api";

register({ tsconfig: new URL("../tsconfig.json", import.meta.url).pathname });
const { main } = await import("./main.ts");
// Exit explicitly: libraries may leave timers behind (the wasm schema engine keeps one for ~10 s).
// stdout/stderr writes are synchronous for files, pipes and terminals on Linux, so nothing is lost.
process.exit(await main(process.argv.slice(2)));
