/** @type {import("next").NextConfig} */
const nextConfig = {
  // Separate build folders let several test runs share one checkout (PORTCULLIS_NEXT_DIST_DIR).
  distDir: process.env.PORTCULLIS_NEXT_DIST_DIR || ".next",
  // The container image ships `<distDir>/standalone`: the server files and only the node_modules
  // they load (scripts/build.ts, Containerfile).
  output: "standalone",
  outputFileTracingRoot: import.meta.dirname,
  // Database drivers and native/wasm packages are loaded by Node, not bundled.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "@electric-sql/pglite-socket",
    "pglite-prisma-adapter",
    "@prisma/adapter-pg",
    "pg",
    "@node-rs/argon2",
    "@aws-sdk/client-kms",
  ],
  poweredByHeader: false,
  // `npm test` type-checks the whole repository (tsc --noEmit) as its first tier; checking again
  // inside every build only doubles the build time on a 2-core machine.
  typescript: { ignoreBuildErrors: true },
  typedRoutes: false,
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
