import type { TestProject } from "vitest/node";
import { testDatabaseKind, type TestDatabaseKind } from "./test-db-config";
import { pgliteTemplate, postgresTemplate } from "./db-templates";

/**
 * Vitest globalSetup of the integration project: migrates one template database per run, which
 * createTestDatabase() (./db.ts) copies for each test file. PostgreSQL when CI=true or
 * TEST_DATABASE=postgres — unreachable is an error, never a skip — else PGlite.
 */
declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: { kind: TestDatabaseKind; template: string; runPid: number };
  }
}

export default async function setup(project: TestProject) {
  const kind = testDatabaseKind();
  const started = Date.now();
  const template = kind === "postgres" ? await postgresTemplate() : await pgliteTemplate();
  console.log(`[db] integration tests on ${kind}: migrated template ready in ${Date.now() - started} ms`);
  project.provide("testDatabase", { kind, template: template.ref, runPid: process.pid });
  return async () => {
    await template.remove();
  };
}
