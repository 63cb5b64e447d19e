/**
 * `node --import tsx scripts/ensure-build.ts`: the production build (`npm run build`), unless the
 * one there is newer than every source (test/support/production-build.ts). The end-to-end tier's
 * web server runs it before `npm start`, so it builds only when the integration tier's build is
 * missing or stale.
 */
import { ensureProductionBuild } from "@/test/support/production-build";

ensureProductionBuild();
