import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Distribution } from "@/test/support/registry";

/** Process and number helpers of the benchmarks (Linux /proc). */

export const MiB = 1024 * 1024;

/** The pid of a Distribution started by test/support/registry (found by its config path). */
export function pidOf(reg: Distribution): number {
  const needle = path.join(reg.dir, "config.yml");
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) return Number(entry);
    } catch {
      // gone
    }
  }
  throw new Error(`no process for ${reg.host}`);
}

/** CPU seconds in user space and in the kernel a process has used so far; Linux's USER_HZ is 100. */
export const cpuTimes = (pid: number): { user: number; system: number } => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
};

/** Minor page faults a process has taken so far (pages it touched for the first time, or again after returning them). */
export const minorFaults = (pid: number): number => Number(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[7]);

/** CPU seconds (user + system) a process has used so far. */
export const cpuSeconds = (pid: number): number => {
  const { user, system } = cpuTimes(pid);
  return user + system;
};

/** Peak resident memory (VmHWM) of a process, bytes. */
export const peakRss = (pid: number): number => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;

export const mib = (bytes: number): string => `${(bytes / MiB).toFixed(0)} MiB`;
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const percentile = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/** The machine, for the first line of a run's output and of its BENCHMARKS.md section. */
export const machine = (): string => `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}`;
export const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
