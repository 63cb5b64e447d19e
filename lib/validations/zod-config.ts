import { z } from "zod";

/**
 * In the browser, zod must not compile its parsers with `new Function`: the portal's
 * Content-Security-Policy forbids eval, and zod's test for it would be reported as a violation.
 * Every schema module (each domain's schemas.ts) imports this first. (On the server, compiling stays on.)
 */
if (typeof window !== "undefined") z.config({ jitless: true });
