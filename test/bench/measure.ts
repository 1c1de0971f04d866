/**
 * One measurement of one server with one body: saturation (warm-up, then a measured window with the
 * server's CPU time read from /proc around it) or open-loop at a fixed rate.
 */
import type { BenchBody } from "./bodies.js";
import { runOpenLoop, type OpenLoopResult } from "./load/open-loop.js";
import type { SaturationResult, SaturationSpec } from "./load/saturation.js";
import type { ProcessGroup } from "./processes.js";
import { cpuMicros, machine, memory, type MemorySample } from "./proc.js";
import { percentile } from "./stats.js";
import type { RunningServer, ServerName } from "./servers.js";

export interface BenchSettings {
  /** Measured seconds per server and body, split into `rounds` interleaved slices. */
  seconds: number;
  rounds: number;
  warmupSeconds: number;
  connections: number;
  loadCpu: number;
  buildDir: string;
}

export type Saturator = (spec: SaturationSpec) => Promise<SaturationResult>;

export interface SaturationRecord extends SaturationResult {
  server: ServerName;
  body: string;
  bodyBytes: number;
  /** Server utime+stime per completed request in the measured window. */
  cpuUsPerRequest: number;
  /** Server CPU time / wall time in the window: ~1.0 means the server core was the bottleneck. */
  serverCpuShare: number;
  /** Completed requests including the warm-up (for the audit line count). */
  requestsIncludingWarmup: number;
  /** 1-minute load average when the run ended (noise indicator). */
  load1: number;
  /** The server's memory right after the measured window. */
  memoryAfter: MemorySample;
  /** Slices the window was measured in (interleaved with the other servers). */
  slices: number;
  /** req/s of each slice, in order: the spread shows how steady the machine was. */
  sliceRps: number[];
}

export interface OpenLoopRecord extends OpenLoopResult {
  server: ServerName;
  body: string;
  cpuUsPerRequest: number;
  attempts: number;
  /** Every request sent over all attempts, warm-ups included (for the audit line count). */
  requestsSent: number;
}

/**
 * Saturation of several servers with one body, interleaved: each server is warmed up, then the measured
 * time is cut into `rounds` slices and the servers take turns (the order rotating each round). On a shared
 * machine whose speed drifts over minutes, every server then sees the same mix of fast and slow moments,
 * and their ratios stop depending on who ran first. Figures are summed over the slices (req/s = requests ÷
 * measured time, CPU per request = CPU ÷ requests); p50/p99 are the medians of the slices'.
 */
export async function saturateInterleaved(servers: RunningServer[], body: BenchBody, s: BenchSettings, tool: Saturator): Promise<SaturationRecord[]> {
  const spec = { url: "", bodyFile: body.file, connections: s.connections, cpu: s.loadCpu };
  const warm = new Map<ServerName, number>();
  for (const server of servers) warm.set(server.name, (await tool({ ...spec, url: server.url, seconds: s.warmupSeconds })).requests);
  const slices = new Map<ServerName, { run: SaturationResult; cpuUs: number; wallUs: number; memoryAfter: MemorySample }[]>();
  const sliceSeconds = s.seconds / s.rounds;
  for (let round = 0; round < s.rounds; round++) {
    for (const server of rotate(servers, round)) {
      const cpuBefore = cpuMicros(server.pid);
      const wallBefore = process.hrtime.bigint();
      const run = await tool({ ...spec, url: server.url, seconds: sliceSeconds });
      const cpuUs = cpuMicros(server.pid) - cpuBefore;
      const wallUs = Number(process.hrtime.bigint() - wallBefore) / 1000;
      const list = slices.get(server.name) ?? [];
      list.push({ run, cpuUs, wallUs, memoryAfter: memory(server.pid) });
      slices.set(server.name, list);
    }
  }
  return servers.map((server) => {
    const list = slices.get(server.name) ?? [];
    const requests = sum(list.map((x) => x.run.requests));
    const seconds = sum(list.map((x) => x.run.seconds));
    const cpuUs = sum(list.map((x) => x.cpuUs));
    const last = list[list.length - 1];
    return {
      tool: last?.run.tool ?? "wrk", requests, seconds, rps: requests / seconds,
      p50Us: median(list.map((x) => x.run.p50Us)), p99Us: median(list.map((x) => x.run.p99Us)), maxUs: Math.max(...list.map((x) => x.run.maxUs)),
      errors: sum(list.map((x) => x.run.errors)),
      server: server.name, body: body.id, bodyBytes: body.bytes,
      cpuUsPerRequest: cpuUs / requests, serverCpuShare: cpuUs / sum(list.map((x) => x.wallUs)),
      requestsIncludingWarmup: (warm.get(server.name) ?? 0) + requests,
      load1: machine().loadavg[0], memoryAfter: last?.memoryAfter ?? memory(server.pid),
      slices: list.length, sliceRps: list.map((x) => x.run.rps),
    };
  });
}

export function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

const median = (xs: number[]): number => percentile(xs, 50);

/** A run whose generator fell behind its own schedule by more than this (p99) is repeated. */
const MAX_SEND_LAG_US = 10_000;
const OPEN_LOOP_ATTEMPTS = 3;

/**
 * Open loop at the body's rate. On a shared machine the generator itself can be starved, and a late send
 * counts as server latency; such runs are repeated (3 attempts at most) and the least-lagged one is kept.
 */
export async function openLoop(server: RunningServer, body: BenchBody, s: BenchSettings, group: ProcessGroup): Promise<OpenLoopRecord> {
  const rate = body.openLoopRate ?? 50;
  const spec = { url: server.url, bodyFile: body.file, rate, seconds: s.seconds, warmupSeconds: Math.min(2, s.warmupSeconds), cpu: s.loadCpu };
  const allRequests = Math.round((spec.seconds + spec.warmupSeconds) * rate);
  let best: OpenLoopRecord | undefined;
  for (let attempt = 1; attempt <= OPEN_LOOP_ATTEMPTS; attempt++) {
    const cpuBefore = cpuMicros(server.pid);
    const result = await runOpenLoop(spec, s.buildDir, group);
    const cpu = cpuMicros(server.pid) - cpuBefore;
    const rec = { ...result, server: server.name, body: body.id, cpuUsPerRequest: cpu / allRequests, attempts: attempt, requestsSent: allRequests * attempt };
    if (!best || rec.sendLagP99Us < best.sendLagP99Us) best = rec;
    best.attempts = attempt;
    best.requestsSent = allRequests * attempt;
    if (rec.sendLagP99Us <= MAX_SEND_LAG_US) break;
  }
  return best as OpenLoopRecord;
}
