/** Reads the memory of a webhook process started with the memory probe (see memory-probe.ts). */
import { fileURLToPath } from "node:url";
import type { ServerProcess } from "../../support/server-process.js";
import { waitFor } from "../../support/server-process.js";

/** Node flags that load the probe: pass as `nodeArgs` to `spawnServer`. */
export const MEMORY_PROBE_NODE_ARGS = ["--expose-gc", "--import", fileURLToPath(new URL("./memory-probe.ts", import.meta.url))];

export interface MemorySample {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const MiB = 1024 * 1024;

/** Signals the process, waits for its probe line, returns the sample (bytes, after a forced full GC). */
export async function probeMemory(server: ServerProcess): Promise<MemorySample> {
  const seen = probeLines(server.stderr()).length;
  server.child.kill("SIGUSR2");
  const line = await waitFor(() => probeLines(server.stderr())[seen], "a memory probe line on stderr", 10_000, 10);
  if (!line.gcForced) throw new Error("the memory probe could not force a GC: start the process with --expose-gc");
  return { rss: line.rss, heapUsed: line.heapUsed, external: line.external, arrayBuffers: line.arrayBuffers };
}

function probeLines(stderr: string): (MemorySample & { gcForced: boolean })[] {
  return stderr.split("\n").filter((l) => l.startsWith('{"memoryProbe"')).map((l) => JSON.parse(l) as MemorySample & { gcForced: boolean });
}

export function formatMemory(sample: MemorySample): string {
  return `rss ${(sample.rss / MiB).toFixed(1)} MiB, heapUsed ${(sample.heapUsed / MiB).toFixed(1)} MiB, external ${(sample.external / MiB).toFixed(1)} MiB`;
}

export interface MemoryTolerance {
  /** Allowed growth of heapUsed plus external memory (Buffers) after a forced GC. */
  heapBytes: number;
  /** Allowed growth of the resident set (the allocator may keep freed pages a while). */
  rssBytes: number;
}

/** Problems (empty when none) comparing `now` to `baseline` within `tolerance`. */
export function memoryGrowth(baseline: MemorySample, now: MemorySample, tolerance: MemoryTolerance): string[] {
  const problems: string[] = [];
  const heapGrowth = now.heapUsed + now.external - (baseline.heapUsed + baseline.external);
  if (heapGrowth > tolerance.heapBytes) {
    problems.push(`heap+external grew by ${(heapGrowth / MiB).toFixed(1)} MiB (tolerance ${(tolerance.heapBytes / MiB).toFixed(0)} MiB): ${formatMemory(baseline)} -> ${formatMemory(now)}`);
  }
  const rssGrowth = now.rss - baseline.rss;
  if (rssGrowth > tolerance.rssBytes) {
    problems.push(`rss grew by ${(rssGrowth / MiB).toFixed(1)} MiB (tolerance ${(tolerance.rssBytes / MiB).toFixed(0)} MiB): ${formatMemory(baseline)} -> ${formatMemory(now)}`);
  }
  return problems;
}
