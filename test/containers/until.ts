/**
 * Waits for something a container, a server or a pull does: asks `probe` every second (a probe
 * that throws counts as not yet) until it gives a value other than `undefined` or `false`, and
 * returns that value. After `timeoutMs` (default 180 s) it fails, saying what did not happen,
 * with the servers' logs.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, logs: () => string, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen; logs:\n${logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
