/**
 * The soak with faults (test/soak/run-soak.ts, `npm run soak` runs it for 5 minutes) in a short run on the
 * same code path: two real serve processes under mixed fixed-rate load, four certificate rotations, valid,
 * invalid and torn config writes, SIGTERM of A with requests in flight and a restart. The RSS trend limit
 * is loose here: 24 s is mostly warm-up; the full run judges the trend.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runSoak } from "../soak/run-soak.js";

test("short soak: zero failures on B, only refusals on A after it stopped, every reply valid, no torn config applied", async (t) => {
  const lines: string[] = [];
  const report = await runSoak({
    durationSeconds: 24,
    rate: 40,
    reloadIntervalSeconds: 0.5,
    sampleSeconds: 1,
    warmupSeconds: 8,
    maxRssSlopeMiBPerMinute: 120,
    readinessPollMs: 200,
    log: (line) => lines.push(line),
  });
  for (const line of lines) t.diagnostic(line);
  assert.deepEqual(report.violations, []);
  assert.ok(report.requests > 800, `${report.requests} requests`);
});
