import { defineConfig } from "vitest/config";
import path from "node:path";

const alias = {
  "@": path.resolve(import.meta.dirname),
  // The real package throws outside React Server Components.
  "server-only": path.resolve(import.meta.dirname, "test/support/empty.ts"),
};

export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["{lib,cli,proxy,components,app,bench,scripts}/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        // Client components rendered in jsdom with Testing Library: their states, one at a time,
        // where a browser test would be too slow to cover each one.
        resolve: { alias },
        test: {
          name: "component",
          include: ["components/**/*.test.tsx"],
          environment: "jsdom",
          setupFiles: ["test/support/component-setup.ts"],
          // A test that types whole forms with user-event takes seconds on a busy machine.
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/support/global-setup.ts"],
          // Each file gets its own database (see test/support/db.ts), so files run side by side:
          // most of their time is spent waiting on registries, skopeo and child processes.
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: true,
          maxWorkers: 2,
        },
      },
    ],
  },
});
