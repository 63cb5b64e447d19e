/**
 * Scavenges (minor GCs) while blobs stream, when the proxy runs with `--expose-gc`
 * (PROXY_NODE_FLAGS). Why: every 64 KiB read from a socket is a fresh ArrayBuffer, garbage once it
 * has been written to the client, and V8 (11.3, Node 20) scavenges for them only once 32 MiB of
 * them have piled up (twice its default maximum semi-space, a compile-time constant): any Node
 * relay carries ~32 MiB of dead read buffers at its peak.
 *
 * So while at most MAX_STREAMS bodies stream, the proxy scavenges every 4 MiB streamed; with more
 * it leaves V8 alone. A chunk lives until its own stream has written it: with many slow streams
 * a scavenge finds most chunks still in flight and, the second time, promotes them to the old
 * generation, which only a full GC frees — measured: 30 concurrent pulls peaked 18 MiB higher
 * with a scavenge every 2 MiB per stream than without. One stream's peak RSS: 91 → 71 MiB, for
 * up to ~1 s of CPU per GiB (the runs on a loaded machine disagree). Measured in BENCHMARKS.md
 * ("Latest results: memory and per-request work").
 *
 * Without `--expose-gc` (a process started another way) this does nothing.
 */
export const YOUNG_GC_EVERY_BYTES = 4 * 1024 * 1024;
/** With more bodies streaming than this, no scavenges of the proxy's own. */
export const MAX_STREAMS = 2;

type MinorGc = (options: { type: "minor" }) => void;

export class YoungGenerationCollector {
  private since = 0;
  private scheduled = false;
  private streams = 0;

  constructor(
    private readonly gc: MinorGc | undefined,
    private readonly everyBytes = YOUNG_GC_EVERY_BYTES,
    private readonly schedule: (run: () => void) => void = (run) => void setImmediate(run),
  ) {}

  /**
   * More bodies stream than MAX_STREAMS: memory in flight, not CPU, is what runs short — no
   * scavenges of the proxy's own, and verified sends hold back one chunk, not a batch
   * (verify-digest.ts).
   */
  get crowded(): boolean {
    return this.streams > MAX_STREAMS;
  }

  /** A body starts streaming to a client; call the function returned when it has ended, however it ended. */
  begin(): () => void {
    this.streams++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.streams--;
    };
  }

  /** `bytes` more were streamed to a client: at most one scavenge is pending at a time, run once the current I/O callbacks are done. */
  streamed(bytes: number): void {
    if (!this.gc) return;
    this.since += bytes;
    if (this.since < this.everyBytes || this.scheduled || this.crowded) return;
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
