/**
 * V8 flags the proxy runs with (`npm run start:proxy`, `npm run proxy`, `npm run dev`, the
 * benchmark). They have to be given on the node command line: V8 sizes its heap at start-up,
 * before any of our code runs, and Node refuses this flag in NODE_OPTIONS.
 *
 * Why: every 64 KiB chunk read from an upstream socket is a fresh external ArrayBuffer. With the
 * default initial heap, V8's old-generation limit sits ~15 MB above the proxy's ~8 MB of live
 * objects, less than the young generation's capacity, so V8 keeps starting incremental marking
 * ("Start (allocation limit)" in `--trace-incremental-marking`): measured on a 512 MiB blob,
 * 30–90 mark-compacts per pull, 2× the user CPU and up to 1.6× the wall time with four
 * concurrent pulls. A 64 MB initial heap moves the limit out of the way: 0 mark-compacts, CPU
 * per GiB streamed 2.02 → 1.23 s (a bare `pipeline(upstream, response)` relay: 1.09 s), and a
 * lower peak RSS (153 → 138 MiB with four concurrent pulls): BENCHMARKS.md. It reserves address
 * space, not memory: V8 commits pages as it uses them.
 *
 * `--expose-gc` gives the proxy V8's `gc()`, with which it scavenges the dead socket read buffers
 * every 4 MiB while at most two bodies stream, instead of letting 32 MiB of them pile up
 * (young-gc.ts). Nothing else in the proxy calls it.
 */
export const PROXY_NODE_FLAGS = ["--initial-heap-size=64", "--expose-gc"] as const;

/** The flags this process was started without (so main.ts can say so once). */
export function missingNodeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return PROXY_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}
