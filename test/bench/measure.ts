/**
 * One measurement of one server with one body: saturation (warm-up, then a measured window with the
 * server's CPU time read from /proc around it) or open-loop at a fixed rate.
 */
import type { BenchBody } from "./bodies.js";
import { runOpenLoop, type OpenLoopResult } from "./load/open-loop.js";
import type { SaturationResult, SaturationSpec } from "./load/saturation.js";
import type { ProcessGroup } from "./processes.js";
import { cpuMicros, machine, memory, type MemorySample } from "./proc.js";
import type { RunningServer, ServerName } from "./servers.js";

export interface BenchSettings {
  seconds: number;
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
}

export interface OpenLoopRecord extends OpenLoopResult {
  server: ServerName;
  body: string;
  cpuUsPerRequest: number;
  attempts: number;
  /** Every request sent over all attempts, warm-ups included (for the audit line count). */
  requestsSent: number;
}

export async function saturate(server: RunningServer, body: BenchBody, s: BenchSettings, tool: Saturator): Promise<SaturationRecord> {
  const spec = { url: server.url, bodyFile: body.file, connections: s.connections, cpu: s.loadCpu };
  const warm = await tool({ ...spec, seconds: s.warmupSeconds });
  const cpuBefore = cpuMicros(server.pid);
  const wallBefore = process.hrtime.bigint();
  const run = await tool({ ...spec, seconds: s.seconds });
  const cpu = cpuMicros(server.pid) - cpuBefore;
  const wallUs = Number(process.hrtime.bigint() - wallBefore) / 1000;
  const memoryAfter = memory(server.pid);
  return {
    ...run, server: server.name, body: body.id, bodyBytes: body.bytes,
    cpuUsPerRequest: cpu / run.requests, serverCpuShare: cpu / wallUs, requestsIncludingWarmup: warm.requests + run.requests,
    load1: machine().loadavg[0], memoryAfter,
  };
}

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
