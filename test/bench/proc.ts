/** Readers for /proc: a process's CPU time and memory, and the machine's load. Linux only. */
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat. 100 on every mainstream Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime of all threads of `pid`, in microseconds. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start at state; utime/stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / CLOCK_TICKS_PER_SECOND;
}

export interface MemorySample {
  rssKb: number;
  /** Peak RSS since the process started. */
  hwmKb: number;
}

export function memory(pid: number): MemorySample {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssKb: field("VmRSS"), hwmKb: field("VmHWM") };
}

export interface MachineSample {
  at: string;
  cores: number;
  loadavg: [number, number, number];
}

export function machine(): MachineSample {
  const [a, b, c] = loadavg();
  return { at: new Date().toISOString(), cores: cpus().length, loadavg: [a ?? NaN, b ?? NaN, c ?? NaN] };
}
