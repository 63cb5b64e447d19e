/**
 * The `portcullis` command as `npm run build` bundles it (dist/portcullis.mjs, run by plain node).
 * In the repository, cli/portcullis.js runs the same through tsx.
 */
import { main } from "./main";

// Exit explicitly: libraries may leave timers behind (the wasm schema engine keeps one for ~10 s).
process.exit(await main(process.argv.slice(2)));
