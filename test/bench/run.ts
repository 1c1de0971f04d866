/**
 * `npm run bench`: the webhook against a raw node:https server and an express 5 app, same certificate,
 * same bodies, server on CPU 0 and load on CPU 1. Prints the tables and the target checks (issue 5),
 * writes results/<timestamp>.json and results/latest.md. Env: BENCH_SECONDS (measured seconds per run,
 * default 15, measured in BENCH_ROUNDS interleaved slices, default 5), BENCH_WARMUP (default 3), BENCH_BODIES
 * (comma list of body ids, default all).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkTargets, ladder, type AuditCheck } from "./analysis.js";
import { buildBodies } from "./bodies.js";
import { compileBenchScripts } from "./build.js";
import { runAutocannon } from "./load/autocannon.js";
import { ensureWrk, runWrk, writeWrkScript, wrkVersion } from "./load/wrk.js";
import { openLoop, rotate, saturateInterleaved, type BenchSettings, type OpenLoopRecord, type SaturationRecord, type Saturator } from "./measure.js";
import { machine, memory, type MemorySample } from "./proc.js";
import { ProcessGroup } from "./processes.js";
import { renderReport } from "./report.js";
import { startServer, type RunningServer, type ServerName } from "./servers.js";

const REPO = new URL("../../", import.meta.url).pathname;
const RESULTS = join(REPO, "test/bench/results");
const SERVERS: ServerName[] = ["ours", "raw", "express"];
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const start = machine();
  log(`bench: ${start.cores} cores, load average ${start.loadavg.join(" ")}, node ${process.version}`);
  if (start.cores < 2) throw new Error("the bench pins the server and the load generator to different cores: needs >= 2");
  if (!existsSync(join(REPO, "dist/src/cli/main.js"))) throw new Error("dist/src/cli/main.js missing: run `npm run build` first");
  const buildDir = compileBenchScripts(REPO);

  const work = mkdtempSync(join(tmpdir(), "ci-pod-webhook-bench-"));
  const group = new ProcessGroup();
  process.once("exit", () => rmSync(work, { recursive: true, force: true }));
  const settings: BenchSettings = {
    seconds: Number(process.env.BENCH_SECONDS ?? 15), rounds: Number(process.env.BENCH_ROUNDS ?? 5), warmupSeconds: Number(process.env.BENCH_WARMUP ?? 3),
    connections: 32, loadCpu: 1, buildDir,
  };
  const saturator = chooseSaturator(work, group);

  const only = process.env.BENCH_BODIES?.split(",");
  const bodies = buildBodies(work).filter((b) => !only || only.includes(b.id));
  for (const b of bodies) log(`body ${b.id.padEnd(13)} ${String(b.bytes).padStart(8)} bytes  ${b.description}`);
  const tiny = readFileSync(bodies.find((b) => b.id === "tiny")?.file ?? bodies[0]?.file ?? "");

  const auditLog = join(work, "audit.log");
  const setup = { repo: REPO, buildDir, certsDir: join(work, "certs"), auditLog, cpu: 0, probeBody: tiny };
  const servers: RunningServer[] = [];
  for (const name of SERVERS) servers.push(await startServer(name, setup, group)); // ours first: it writes the certs
  for (const s of servers) log(`server ${s.name.padEnd(8)} pid ${s.pid}  ${s.url}  ${s.tls}`);
  const before = Object.fromEntries(servers.map((s) => [s.name, memory(s.pid)]));

  const saturation: SaturationRecord[] = [];
  for (const [i, body] of bodies.entries()) {
    for (const rec of await saturateInterleaved(rotate(servers, i), body, settings, saturator.run)) {
      saturation.push(rec);
      log(`saturate ${body.id.padEnd(13)} ${rec.server.padEnd(8)} ${rec.rps.toFixed(0).padStart(6)} req/s  p99 ${(rec.p99Us / 1000).toFixed(2)} ms  ${rec.cpuUsPerRequest.toFixed(0)} µs CPU/req  share ${rec.serverCpuShare.toFixed(2)}  slices ${rec.sliceRps.map((r) => r.toFixed(0)).join(" ")}`);
    }
  }
  // Each server's RSS right after its own last saturation run: the same moment for every server.
  const after = Object.fromEntries(servers.map((s) => [s.name, saturation.filter((r) => r.server === s.name).pop()?.memoryAfter ?? memory(s.pid)]));

  const open: OpenLoopRecord[] = [];
  for (const body of bodies.filter((b) => b.openLoopRate)) {
    for (const server of servers) {
      const rec = await openLoop(server, body, settings, group);
      open.push(rec);
      log(`open-loop ${body.id.padEnd(12)} ${server.name.padEnd(8)} ${rec.rate}/s  p50 ${(rec.p50Us / 1000).toFixed(2)} ms  p99 ${(rec.p99Us / 1000).toFixed(2)} ms  errors ${rec.errors + rec.unfinished}  send lag p99 ${(rec.sendLagP99Us / 1000).toFixed(1)} ms (${rec.attempts} attempt(s))`);
    }
  }

  const settled = Object.fromEntries(servers.map((s) => [s.name, memory(s.pid)]));
  for (const s of servers) await group.stop(s.child);
  const audit = auditCheck(auditLog, saturation, open, settings);
  const ladders = Object.fromEntries(SERVERS.map((name) => [name, ladder(saturation, bodies, name)]));
  const memoryBySrv = Object.fromEntries(SERVERS.map((name) => [name, { before: before[name] as MemorySample, after: after[name] as MemorySample, settled: settled[name] as MemorySample }]));
  const targets = checkTargets(saturation, ladders.ours ?? ladder([], [], "ours"), after, audit);
  const report = {
    machine: { start, end: machine() }, tool: saturator.name, seconds: settings.seconds, bodies, servers: SERVERS,
    saturation, openLoop: open, memory: memoryBySrv, ladders, targets,
  };
  log(`\n${renderReport(report, "text")}`);
  mkdirSync(RESULTS, { recursive: true });
  const stamp = report.machine.end.at.replace(/:/g, "-");
  writeFileSync(join(RESULTS, `${stamp}.json`), `${JSON.stringify({ ...report, node: process.version, settings, audit, tls: Object.fromEntries(servers.map((s) => [s.name, s.tls])) }, null, 2)}\n`);
  writeFileSync(join(RESULTS, "latest.md"), `# ci-pod-webhook bench, ${report.machine.end.at}\n\n${renderReport(report, "md")}`);
  log(`wrote test/bench/results/${stamp}.json and test/bench/results/latest.md`);
}

function chooseSaturator(work: string, group: ProcessGroup): { name: string; run: Saturator } {
  if (ensureWrk(log)) {
    const script = writeWrkScript(work);
    return { name: wrkVersion() ?? "wrk", run: (spec) => runWrk(spec, script, group) };
  }
  log("wrk unavailable: falling back to autocannon (a Node client; it may saturate before the raw server does)");
  return { name: "autocannon", run: (spec) => runAutocannon(spec, REPO, group) };
}

function auditCheck(file: string, saturation: SaturationRecord[], open: OpenLoopRecord[], s: BenchSettings): AuditCheck {
  const lines = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0;
  const ours = saturation.filter((r) => r.server === "ours");
  const oursOpen = open.filter((r) => r.server === "ours");
  // +1: the readiness probe. Each open-loop run also sent its warm-up.
  const openSent = oursOpen.reduce((n, r) => n + r.requestsSent, 0);
  const counted = 1 + ours.reduce((n, r) => n + r.requestsIncludingWarmup, 0) + openSent;
  // Each wrk run (the warm-up and every slice) may stop with a request per connection in flight.
  return { lines, counted, upperBound: counted + ours.reduce((n, r) => n + (r.slices + 1) * s.connections, 0) };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
