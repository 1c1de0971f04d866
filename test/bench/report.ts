/** Renders the results as aligned text (console) or markdown (results/latest.md). */
import type { LadderAnalysis, TargetCheck } from "./analysis.js";
import { findRun } from "./analysis.js";
import type { BenchBody } from "./bodies.js";
import type { OpenLoopRecord, SaturationRecord } from "./measure.js";
import type { MachineSample, MemorySample } from "./proc.js";
import type { ServerName } from "./servers.js";
import { ratio } from "./stats.js";

export interface ReportInput {
  machine: { start: MachineSample; end: MachineSample };
  tool: string;
  seconds: number;
  bodies: BenchBody[];
  servers: ServerName[];
  saturation: SaturationRecord[];
  openLoop: OpenLoopRecord[];
  memory: Record<string, { before: MemorySample; after: MemorySample; settled: MemorySample }>;
  ladders: Record<string, LadderAnalysis>;
  targets: TargetCheck[];
}

type Format = "text" | "md";
const ms = (us: number) => (us / 1000).toFixed(2);
const num = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : "-");
const mb = (kb: number) => (kb / 1024).toFixed(1);

export function renderReport(r: ReportInput, format: Format): string {
  const load = (m: MachineSample) => `${m.loadavg.map((v) => v.toFixed(2)).join(" ")} at ${m.at}`;
  const out = [
    `${r.machine.start.cores} cores; load average ${load(r.machine.start)} → ${load(r.machine.end)}`,
    `load generator: ${r.tool}; saturation: ${r.saturation[0]?.seconds.toFixed(0) ?? "?"} s measured per run, 32 keep-alive connections; servers on CPU 0, load on CPU 1`,
    "",
    table(["body", "description", "review bytes", "KiB"], r.bodies.map((b) => [b.id, b.description, String(b.bytes), (b.bytes / 1024).toFixed(1)]), format),
    "",
    "Saturation (ratios: ours ÷ baseline; CPU share ≈ 1.00 means the server core was the bottleneck;",
    "req/CPU-s = 1e6 ÷ CPU µs/req, the throughput of a dedicated core)",
    table(["body", "server", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "req/CPU-s", "CPU share", "req/s ÷raw", "req/s ÷express", "req/CPU-s ÷express", "CPU ÷express", "errors", "load1"],
      r.saturation.map((s) => {
        const raw = findRun(r.saturation, "raw", s.body);
        const ex = findRun(r.saturation, "express", s.body);
        const isOurs = s.server === "ours";
        return [s.body, s.server, num(s.rps), ms(s.p50Us), ms(s.p99Us), num(s.cpuUsPerRequest), num(1e6 / s.cpuUsPerRequest), s.serverCpuShare.toFixed(2),
          isOurs ? num(ratio(s.rps, raw?.rps ?? NaN), 2) : "", isOurs ? num(ratio(s.rps, ex?.rps ?? NaN), 2) : "",
          isOurs ? num(ratio(ex?.cpuUsPerRequest ?? NaN, s.cpuUsPerRequest), 2) : "",
          isOurs ? num(ratio(s.cpuUsPerRequest, ex?.cpuUsPerRequest ?? NaN), 2) : "", String(s.errors), s.load1.toFixed(1)];
      }), format),
    "",
    "Open loop (latency from the scheduled send time; send lag = how late the generator itself was, p99)",
    table(["body", "rate/s", "server", "p50 ms", "p99 ms", "max ms", "CPU µs/req", "errors", "unfinished", "send lag ms", "attempts", "p99 ÷raw", "p99 ÷express"],
      r.openLoop.map((o) => {
        const raw = r.openLoop.find((x) => x.server === "raw" && x.body === o.body);
        const ex = r.openLoop.find((x) => x.server === "express" && x.body === o.body);
        const isOurs = o.server === "ours";
        return [o.body, String(o.rate), o.server, ms(o.p50Us), ms(o.p99Us), ms(o.maxUs), num(o.cpuUsPerRequest), String(o.errors), String(o.unfinished), ms(o.sendLagP99Us), String(o.attempts),
          isOurs ? num(ratio(o.p99Us, raw?.p99Us ?? NaN), 2) : "", isOurs ? num(ratio(o.p99Us, ex?.p99Us ?? NaN), 2) : ""];
      }), format),
    "",
    "Memory (VmRSS: at start; right after the server's last saturation run; at the end, after the open-loop runs. Peak = VmHWM)",
    table(["server", "RSS before MB", "RSS after saturation MB", "after ÷ raw after", "RSS at end MB", "peak MB"], r.servers.map((name) => {
      const m = r.memory[name];
      return [name, mb(m?.before.rssKb ?? NaN), mb(m?.after.rssKb ?? NaN), num(ratio(m?.after.rssKb ?? NaN, r.memory.raw?.after.rssKb ?? NaN), 2), mb(m?.settled.rssKb ?? NaN), mb(m?.settled.hwmKb ?? NaN)];
    }), format),
    "",
    "Size ladder: server CPU µs per request (µs per KiB), least-squares line over the points",
    table(["server", ...(r.ladders.ours?.points.map((p) => `${p.kib.toFixed(0)} KiB`) ?? []), "slope µs/KiB", "intercept µs", "R²"], r.servers.map((name) => {
      const l = r.ladders[name];
      return [name, ...(l?.points.map((p) => `${num(p.cpuUsPerRequest)} (${p.usPerKiB.toFixed(2)})`) ?? []), num(l?.fit.slope ?? NaN, 2), num(l?.fit.intercept ?? NaN), num(l?.fit.r2 ?? NaN, 4)];
    }), format),
    "",
    "Targets (issue 5; ratios from this run)",
    table(["", "target", "measured"], r.targets.map((t) => [t.pass ? "PASS" : "MISS", t.target, t.measured]), format),
  ];
  return `${out.join("\n")}\n`;
}

function table(headers: string[], rows: string[][], format: Format): string {
  if (format === "md") {
    const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
    return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
  }
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
