/**
 * The soak with faults: two real `serve` processes (A and B) behind a client-side round-robin that follows
 * /readyz, a fixed rate of mixed reviews, and on a schedule (fractions of the run): certificate rotations
 * (Secret-style symlink swaps, alternating between two CAs the client trusts as a bundle), config rewrites
 * (valid, invalid, torn writes whose first half is a valid config of its own), and SIGTERM of A with
 * requests in flight followed by a restart. Returns the figures and every violation found.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CleanupStack, tempDir, waitFor } from "../support/server-process.js";
import { httpsCall } from "../support/tls-client.js";
import { soakBodies } from "./bodies.js";
import { configText, HALF_NDOTS, INVALID_NDOTS, writeAtomic, writeTorn } from "./config-file.js";
import { SoakInstance, startSlowRequest, type Generation, type MemorySample } from "./instances.js";
import { judgeAudit, judgeLogs, judgeMemory, judgeRecords, readAudit } from "./judge.js";
import { LoadGenerator } from "./load.js";
import { createCa, issueServingPair, type ServingPair, type TestCa } from "./support/pki.js";
import { SecretMount } from "./support/secret-mount.js";
import { formatMs, quantile } from "./support/stats.js";

export interface SoakOptions {
  durationSeconds: number;
  /** Requests per second, over both instances. */
  rate: number;
  reloadIntervalSeconds: number;
  sampleSeconds: number;
  /** RSS samples before this are not used for the trend (JIT, caches and pools fill up first). */
  warmupSeconds: number;
  /** The largest RSS slope after warm-up that still counts as flat. */
  maxRssSlopeMiBPerMinute: number;
  readinessPollMs: number;
  /**
   * The pause inside a torn config write, in reload intervals (default 0.8). Below 1, at most one poll can
   * read the first half, and the webhook applies a file only once two polls read the same bytes. Above 2,
   * two polls can read it: a negative control, the soak must then report the half config.
   */
  tornPauseIntervals?: number;
  /** Progress and report lines. */
  log: (line: string) => void;
  /** Aborts the run (Ctrl-C): processes are stopped and temp files removed before runSoak rejects. */
  signal?: AbortSignal;
}

export interface SoakReport {
  violations: string[];
  requests: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  rssSlopeMiBPerMinute: number;
}


export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const cleanup = new CleanupStack();
  try {
    return await soak(opts, cleanup);
  } finally {
    await cleanup.run();
  }
}

async function soak(opts: SoakOptions, cleanup: CleanupStack): Promise<SoakReport> {
  const { log } = opts;
  const pause = (ms: number) => new Promise<void>((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new Error("soak aborted"));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error("soak aborted"));
    };
    const timer = setTimeout(() => {
      opts.signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    opts.signal?.addEventListener("abort", onAbort, { once: true });
  });
  const violations: string[] = [];
  const t0 = Date.now();
  const at = (ms = Date.now()) => `+${((ms - t0) / 1000).toFixed(1)}s`;
  const dir = tempDir(cleanup, "cpw-soak-");

  // Two CAs; the client trusts both (a caBundle during a CA change); leaves are re-issued from either.
  const cas: TestCa[] = [await createCa("one"), await createCa("two")];
  const mount = new SecretMount(join(dir, "tls"), ["tls.crt", "tls.key"]);
  let pair: ServingPair = await issueServingPair(cas[0] as TestCa);
  mount.write({ "tls.crt": pair.cert, "tls.key": pair.key });
  const configPath = join(dir, "config", "config.yaml");
  mkdirSync(join(dir, "config"));
  writeFileSync(configPath, configText("3"));

  const setup = {
    dir, configPath, certPath: mount.path("tls.crt"), keyPath: mount.path("tls.key"), caBundle: cas.map((c) => c.cert),
    reloadIntervalSeconds: opts.reloadIntervalSeconds, readinessPollMs: opts.readinessPollMs,
  };
  const a = new SoakInstance("A", setup, cleanup);
  const b = new SoakInstance("B", setup, cleanup);
  cleanup.after(() => {
    a.stopPolling();
    b.stopPolling();
  });
  await Promise.all([a.start(), b.start()]);
  await waitFor(() => a.ready && b.ready, "both instances ready", 30_000, 50);
  log(`${at()} A (:${a.current?.target.port}) and B (:${b.current?.target.port}) ready; ${opts.rate} req/s for ${opts.durationSeconds} s`);

  const bodies = soakBodies();
  const load = new LoadGenerator({ rate: opts.rate, bodies, instances: [a, b], timeoutMs: 10_000 });
  const samples: MemorySample[] = [];
  const sampler = setInterval(() => {
    for (const instance of [a, b]) void instance.sampleMemory().then((s) => s && samples.push(s));
  }, opts.sampleSeconds * 1000);
  const reloadMs = opts.reloadIntervalSeconds * 1000;
  const tornPauseMs = Math.floor(reloadMs * (opts.tornPauseIntervals ?? 0.8));
  const configWrites: { at: number; ndots: string; how: string }[] = [];
  const rotations: Promise<void>[] = [];

  const rotate = async (ca: TestCa) => {
    pair = await issueServingPair(ca);
    const written = Date.now();
    mount.write({ "tls.crt": pair.cert, "tls.key": pair.key });
    const expected = pair.fingerprint;
    log(`${at()} certificate rotated (new pair from CA "${ca.name.split(" ")[2]}")`);
    rotations.push(...[a, b].map(async (instance) => {
      const generation = instance.current as Generation;
      const deadline = written + Math.max(5_000, 10 * reloadMs);
      while (Date.now() < deadline) {
        if (generation.signalledAt !== undefined) return; // stopped before the next poll: nothing to see
        const seen = await httpsCall(generation.target, { method: "GET" }).then((r) => r.peer?.fingerprint256, () => undefined);
        if (seen === expected) return log(`${at()}   ${instance.name} serves the new certificate after ${Date.now() - written} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
      violations.push(`${instance.name}: the rotated certificate was not served within ${deadline - written} ms`);
    }));
  };
  const writeConfig = async (ndots: string, how: "atomic" | "torn") => {
    configWrites.push({ at: Date.now(), ndots, how });
    if (how === "atomic") writeAtomic(configPath, configText(ndots));
    else await writeTorn(configPath, ndots, tornPauseMs);
    log(`${at()} config rewritten ${how}: ndots ${ndots}${ndots === INVALID_NDOTS ? " (invalid)" : ""}${how === "torn" ? ` (first part ndots ${HALF_NDOTS} for ${tornPauseMs} ms)` : ""}`);
  };
  const inFlightAtSigterm: Promise<void>[] = [];

  const schedule: [number, string, () => Promise<void>][] = [
    [0.10, "config valid", () => writeConfig("4", "atomic")],
    [0.15, "rotate", () => rotate(cas[1] as TestCa)],
    [0.22, "config invalid", () => writeConfig(INVALID_NDOTS, "atomic")],
    [0.30, "config torn", () => writeConfig("12", "torn")],
    [0.35, "rotate", () => rotate(cas[0] as TestCa)],
    [0.40, "SIGTERM A", async () => {
      const generation = a.current as Generation;
      const slow = await Promise.all([0, 1, 2].map(() => startSlowRequest(generation)));
      const exited = a.terminate();
      log(`${at()} SIGTERM to A with ${slow.length} requests in flight`);
      await new Promise((r) => setTimeout(r, 300));
      inFlightAtSigterm.push(...slow.map(async (request, i) => {
        const problems = await request.finish();
        for (const p of problems) violations.push(`A: request ${i} in flight at SIGTERM: ${p}`);
      }));
      const code = await exited;
      log(`${at()} A exited with ${code} after ${Date.now() - (generation.signalledAt ?? 0)} ms`);
      if (code !== 0) violations.push(`A exited with ${code} on SIGTERM`);
    }],
    [0.50, "restart A", async () => {
      await a.start();
      await waitFor(() => a.ready, "A ready again", 30_000, 50);
      log(`${at()} A restarted (:${a.current?.target.port}) and ready`);
    }],
    [0.55, "rotate", () => rotate(cas[1] as TestCa)],
    [0.62, "config torn", () => writeConfig("13", "torn")],
    [0.70, "config valid", () => writeConfig("5", "atomic")],
    [0.78, "rotate", () => rotate(cas[0] as TestCa)],
  ];

  load.start();
  const runMs = opts.durationSeconds * 1000;
  const loadStart = Date.now();
  for (const [fraction, , action] of schedule) {
    await pause(loadStart + fraction * runMs - Date.now()).catch(async (err: unknown) => {
      clearInterval(sampler);
      await load.stop();
      throw err;
    });
    await action();
  }
  await pause(loadStart + runMs - Date.now()).finally(() => clearInterval(sampler));
  await load.stop();
  await Promise.all([...rotations, ...inFlightAtSigterm]);
  log(`${at()} load stopped after ${load.records.length} requests`);

  // Reload and error counts from the logs, then a clean stop of both.
  a.stopPolling();
  b.stopPolling();
  const finals = await Promise.all([a, b].map(async (instance) => ({ instance, code: await instance.terminate() })));
  for (const { instance, code } of finals) if (code !== 0) violations.push(`${instance.name} exited with ${code} at the end`);

  const audit = readAudit([a, b]);
  judgeRecords(load, [a, b], audit, configWrites, reloadMs, violations, log);
  judgeLogs([a, b], configWrites, violations);
  judgeAudit([a, b], audit, load.records, violations);
  const trend = judgeMemory(samples, b, t0, loadStart + opts.warmupSeconds * 1000, opts.maxRssSlopeMiBPerMinute, violations, log);

  const ok = load.records.filter((r) => r.latencyMs !== undefined && r.status === 200);
  const latencies = ok.map((r) => r.latencyMs as number);
  const latency = { p50: quantile(latencies, 0.5), p90: quantile(latencies, 0.9), p99: quantile(latencies, 0.99), max: quantile(latencies, 1) };
  log(`latency ms over ${latencies.length} replies: p50 ${formatMs(latency.p50)} p90 ${formatMs(latency.p90)} p99 ${formatMs(latency.p99)} max ${formatMs(latency.max)}`);
  for (const name of ["A", "B"]) {
    const l = ok.filter((r) => r.instance === name).map((r) => r.latencyMs as number);
    log(`  ${name}: ${l.length} replies, p50 ${formatMs(quantile(l, 0.5))} p99 ${formatMs(quantile(l, 0.99))} max ${formatMs(quantile(l, 1))}`);
  }
  for (const kind of bodies) {
    const l = ok.filter((r) => r.kind === kind.name).map((r) => r.latencyMs as number);
    log(`  ${kind.name} (${(kind.bytes / 1024).toFixed(0)} KiB): p50 ${formatMs(quantile(l, 0.5))} p99 ${formatMs(quantile(l, 0.99))}`);
  }
  log(violations.length === 0 ? "violations: none" : `violations (${violations.length}):\n  ${violations.slice(0, 50).join("\n  ")}`);
  return { violations, requests: load.records.length, latency, rssSlopeMiBPerMinute: trend };
}
