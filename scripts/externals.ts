/**
 * Packages loaded from node_modules at run time: they read files beside themselves or are native
 * — or, for the ECR client, are imported only on first use (lib/oci/ecr.ts): inlined, its 1.2 MB
 * of source would sit in every bundle's memory from the start (3.6 MiB of the proxy's idle RSS).
 */
export const EXTERNAL_PACKAGES = [
  "next",
  "@electric-sql/pglite",
  "@electric-sql/pglite-socket",
  "@prisma/schema-engine-wasm",
  "@node-rs/argon2",
  "@aws-sdk/client-ecr",
];
