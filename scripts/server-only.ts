/**
 * What `import "server-only"` resolves to in the esbuild bundles of scripts/build.ts: they run on
 * the server alone (Next's own build resolves the package itself, and refuses it in client code).
 */
export {};
