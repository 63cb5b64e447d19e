import { describe, expect, it } from "vitest";
import { Mutex } from "./mutex";

describe("Mutex", () => {
  it("grants the lock in request order, one holder at a time", async () => {
    const mutex = new Mutex();
    const order: string[] = [];
    let inside = 0;
    const worker = async (name: string) => {
      const release = await mutex.acquire();
      inside++;
      expect(inside).toBe(1);
      order.push(name);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inside--;
      release();
      release(); // a second release is harmless
    };
    await Promise.all(["a", "b", "c", "d"].map(worker));
    expect(order).toEqual(["a", "b", "c", "d"]);
    expect(mutex.pending).toBe(0);
  });
});
