import { UpstreamError } from "./errors";
import type { DiagnosticStep } from "./diagnose";

/**
 * The step-by-step runner of the connection tests (a registry's, an identity provider's): each
 * step is timed and recorded with its outcome in words, and the first failure stops the run.
 */

/** Thrown out of a step once its failure is recorded: the test stops there. */
export class StepFailed extends Error {}

export interface StepOutcome<T> {
  value: T;
  detail: string;
  status?: number;
  /** Absent: the step succeeded. */
  ok?: boolean;
}

/** A `step(name, run)` that appends to `steps`; `explain` turns what a step threw into its detail. */
export function stepRunner(steps: DiagnosticStep[], explain: (e: unknown) => string) {
  return async function step<T>(name: string, run: () => Promise<StepOutcome<T>>): Promise<T> {
    const started = Date.now();
    try {
      const r = await run();
      const ok = r.ok ?? true;
      steps.push({ name, ok, ...(r.status !== undefined && { status: r.status }), detail: r.detail, durationMs: Date.now() - started });
      if (!ok) throw new StepFailed();
      return r.value;
    } catch (e) {
      if (e instanceof StepFailed) throw e;
      const status = e instanceof UpstreamError ? e.status : undefined;
      steps.push({ name, ok: false, ...(status !== undefined && { status }), detail: explain(e), durationMs: Date.now() - started });
      throw new StepFailed();
    }
  };
}
