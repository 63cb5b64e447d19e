import type { DiagnosticStep } from "@/lib/oci/diagnose";

/**
 * What a connection test says about a registry. A test with an image ends with that image's
 * manifest: when only that step fails for a reason other than access (a mistyped tag, a
 * repository that isn't there), the credentials work and the registry is still connected — the
 * image is what failed.
 *
 * - `passed`: every step passed.
 * - `image-failed`: the registry answered and the credentials were accepted; the image step failed.
 * - `failed`: the registry or its credentials failed.
 */
export type TestVerdict = "passed" | "image-failed" | "failed";

const imageStep = (s: DiagnosticStep) => s.name.startsWith("Manifest ") || s.name === "Image reference";
const accessDenied = (s: DiagnosticStep) => s.status === 401 || s.status === 403;

export function testVerdict(test: { ok: boolean; steps: readonly DiagnosticStep[] }): TestVerdict {
  if (test.ok) return "passed";
  const failed = test.steps.filter((s) => !s.ok);
  const connected = test.steps.some((s) => s.ok && s.name === "GET /v2/");
  return connected && failed.length > 0 && failed.every((s) => imageStep(s) && !accessDenied(s)) ? "image-failed" : "failed";
}

/** The credentials work: the last test passed, or only its image step failed. */
export const credentialsWork = (test: { ok: boolean; steps: readonly DiagnosticStep[] } | null | undefined) => !!test && testVerdict(test) !== "failed";
