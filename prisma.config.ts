import { defineConfig } from "prisma/config";

// Only `prisma generate` is used from the Prisma CLI (the native engines cannot be downloaded
// here); migrations go through `portcullis migrate`, built on the schema engine compiled to wasm.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
