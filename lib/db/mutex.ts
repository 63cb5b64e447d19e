/** A FIFO async mutex: `acquire()` resolves with a release function once the lock is ours. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private held = 0;

  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => next);
    this.held++;
    return previous.then(() => {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.held--;
        release();
      };
    });
  }

  /** Holders plus waiters. */
  get pending(): number {
    return this.held;
  }
}
