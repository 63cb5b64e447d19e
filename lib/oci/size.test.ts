import { describe, expect, it } from "vitest";
import { formatBytes } from "./size";

describe("formatBytes", () => {
  it("reads as people write sizes: bytes below a KiB, one decimal below 10, binary units up to TiB", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1024)).toBe("1.0 KiB");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(24 * 1024 * 1024)).toBe("24 MiB");
    expect(formatBytes(3.2 * 1024 ** 3)).toBe("3.2 GiB");
    expect(formatBytes(5 * 1024 ** 5)).toBe("5120 TiB");
  });
});
