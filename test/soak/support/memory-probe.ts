/**
 * Preloaded into a webhook process under test (`node --expose-gc --import <this file>`), never into
 * production: on SIGUSR2 it runs a full garbage collection and writes one line to stderr,
 * `{"memoryProbe":<n>,"rss":…,"heapUsed":…,"external":…,"arrayBuffers":…}`, so a test can compare memory
 * after a forced GC instead of guessing through GC noise.
 */
import { writeSync } from "node:fs";

let probes = 0;
const gc = (globalThis as { gc?: () => void }).gc;

process.on("SIGUSR2", () => {
  probes++;
  // Several rounds: a major GC can leave garbage behind that only the next one frees (weak refs, finalizers).
  for (let i = 0; i < 4; i++) gc?.();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  writeSync(2, `${JSON.stringify({ memoryProbe: probes, gcForced: gc !== undefined, rss, heapUsed, external, arrayBuffers })}\n`);
});
