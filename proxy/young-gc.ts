/**
 * A minor GC (a scavenge) every YOUNG_GC_EVERY_BYTES streamed to clients, when the proxy runs with
 * `--expose-gc` (PROXY_NODE_FLAGS). Why: every 64 KiB read from a socket is a fresh ArrayBuffer,
 * garbage once it has been written to the client, and V8 (11.3, Node 20) only scavenges for them
 * once 32 MiB of them have piled up (twice its default maximum semi-space, a compile-time
 * constant): any Node relay carries ~32 MiB of dead read buffers at its peak. Collected every
 * 2 MiB instead, they never pile up: measured in BENCHMARKS.md ("Latest results: memory and
 * per-request work"). A scavenge of a proxy's young generation is a fraction of a millisecond —
 * mostly those buffers, nothing live to copy — so 512 of them per GiB cost little next to the
 * sha256 of each byte.
 *
 * Without `--expose-gc` (a process started another way) this does nothing.
 */
export const YOUNG_GC_EVERY_BYTES = 2 * 1024 * 1024;

type MinorGc = (options: { type: "minor" }) => void;

export class YoungGenerationCollector {
  private since = 0;
  private scheduled = false;

  constructor(
    private readonly gc: MinorGc | undefined,
    private readonly everyBytes = YOUNG_GC_EVERY_BYTES,
    private readonly schedule: (run: () => void) => void = (run) => void setImmediate(run),
  ) {}

  /** `bytes` more were streamed to a client: at most one scavenge is pending at a time, run once the current I/O callbacks are done. */
  streamed(bytes: number): void {
    if (!this.gc) return;
    this.since += bytes;
    if (this.since < this.everyBytes || this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => {
      // What was streamed until now is what this scavenge collects.
      this.since = 0;
      this.scheduled = false;
      this.gc!({ type: "minor" });
    });
  }
}

/** The process's collector: V8's `gc` when `--expose-gc` gave one. */
export const youngGc = new YoungGenerationCollector((globalThis as { gc?: MinorGc }).gc);
