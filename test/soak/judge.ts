/**
 * The soak's verdicts, from what the load generator recorded, what the instances logged and audited, and
 * the memory samples: each returns its findings as violation strings and logs its figures.
 */
import { readJsonLines } from "../support/server-process.js";
import { DEFAULT_NDOTS, HALF_NDOTS, INVALID_NDOTS } from "./config-file.js";
import type { MemorySample, SoakInstance } from "./instances.js";
import type { LoadGenerator, RequestRecord } from "./load.js";
import { scanLogs } from "./support/log-scan.js";
import { slope } from "./support/stats.js";

const MiB = 1024 * 1024;
/** ndots of the config versions written, in order; the torn ones start with HALF_NDOTS. */
export const VALID_NDOTS = ["3", "4", "12", "13", "5"];

/** Audit lines per uid, per instance generation (`A1`, `B1`, ...). */
export type AuditCounts = Map<string, Map<string, number>>;

export function readAudit(instances: SoakInstance[]): AuditCounts {
  const all: AuditCounts = new Map();
  for (const instance of instances) {
    for (const generation of instance.generations) {
      const counts = new Map<string, number>();
      for (const line of readJsonLines(generation.auditPath)) counts.set(String(line.uid), (counts.get(String(line.uid)) ?? 0) + 1);
      all.set(`${instance.name}${generation.number}`, counts);
    }
  }
  return all;
}

/** Connection errors that mean "this instance would not take the request" rather than "it failed it". */
const NOT_TAKEN = ["ECONNREFUSED", "ECONNRESET", "EPIPE"];

export function judgeRecords(load: LoadGenerator, instances: SoakInstance[], audit: AuditCounts, writes: { at: number; ndots: string }[], reloadMs: number, violations: string[], log: (line: string) => void): void {
  const records = load.records;
  const refused: RequestRecord[] = [];
  const resetIdle: RequestRecord[] = [];
  const failures = new Map<string, number>();
  const fail = (what: string) => failures.set(what, (failures.get(what) ?? 0) + 1);
  for (const r of records) {
    const generation = instances.find((i) => i.name === r.instance)?.generations[r.generation - 1];
    if (r.error) {
      // After SIGTERM the listener is closed and idle keep-alive connections are closed: a new connection
      // is refused; a request that raced the close of an idle pooled connection is reset. Either way the
      // instance never took it, which its audit log confirms: no line for the uid.
      const afterStop = generation?.signalledAt !== undefined && r.sentAt >= generation.signalledAt;
      const taken = audit.get(`${r.instance}${r.generation}`)?.has(r.uid) ?? false;
      if (r.instance === "A" && afterStop && !taken && r.error === "ECONNREFUSED") refused.push(r);
      else if (r.instance === "A" && afterStop && !taken && NOT_TAKEN.includes(r.error)) resetIdle.push(r);
      else fail(`${r.instance}: request failed with ${r.error}${afterStop ? " (after SIGTERM)" : ""}${taken ? " after the instance admitted it" : ""}`);
      continue;
    }
    for (const p of r.problems) fail(`${r.instance}: ${r.kind}: ${p}`);
    if (r.ndots === undefined) continue;
    if ([HALF_NDOTS, DEFAULT_NDOTS, INVALID_NDOTS].includes(r.ndots)) fail(`${r.instance}: a reply with ndots ${r.ndots}: a torn, empty or invalid config was applied`);
    else if (!VALID_NDOTS.includes(r.ndots)) fail(`${r.instance}: a reply with unexpected ndots ${r.ndots}`);
  }
  if (load.noEndpoint > 0) fail(`no instance was ready for ${load.noEndpoint} requests`);
  // Per generation, replies follow the config versions in order (100 ms slack for requests crossing a swap).
  for (const instance of instances) {
    for (const generation of instance.generations) {
      let highest = -1;
      let highestAt = 0;
      for (const r of records.filter((x) => x.instance === instance.name && x.generation === generation.number && x.ndots !== undefined).sort((x, y) => x.sentAt - y.sentAt)) {
        const index = VALID_NDOTS.indexOf(r.ndots as string);
        if (index > highest) {
          highest = index;
          highestAt = r.sentAt;
        } else if (index < highest && r.sentAt - highestAt > 100) fail(`${instance.name}: went back from ndots ${VALID_NDOTS[highest]} to ${r.ndots}`);
      }
    }
  }
  // B lived through every version: each valid one must have shown; the last one at the end.
  const b = records.filter((r) => r.instance === "B" && r.ndots !== undefined);
  for (const ndots of ["4", "12", "13", "5"]) if (!b.some((r) => r.ndots === ndots)) fail(`B: never replied with ndots ${ndots}: a valid config was not applied`);
  const last = writes.at(-1);
  if (last) {
    const settled = records.filter((r) => r.ndots !== undefined && r.sentAt > last.at + 3 * reloadMs + 500);
    for (const r of settled) if (r.ndots !== last.ndots) fail(`${r.instance}: still ndots ${r.ndots} long after ndots ${last.ndots} was written`);
  }
  for (const [what, n] of failures) violations.push(`${what} (${n}×)`);
  const byInstance = (name: string) => records.filter((r) => r.instance === name);
  const allowed = new Set([...refused, ...resetIdle]);
  log(`requests: ${records.length} (A ${byInstance("A").length}, B ${byInstance("B").length}); failed on B: ${byInstance("B").filter((r) => r.error || r.problems.length).length}; ` +
    `failed on A: ${byInstance("A").filter((r) => (r.error || r.problems.length) && !allowed.has(r)).length}, plus, after A stopped accepting (allowed, none admitted): ` +
    `${refused.length} connections refused, ${resetIdle.length} requests on idle keep-alive connections the drain closed`);
  const ndots = new Map<string, number>();
  for (const r of records) if (r.ndots) ndots.set(r.ndots, (ndots.get(r.ndots) ?? 0) + 1);
  log(`replies by ndots (config version): ${[...ndots].map(([k, v]) => `${k}: ${v}`).join(", ")}`);
}

export function judgeLogs(instances: SoakInstance[], writes: { ndots: string }[], violations: string[]): void {
  for (const instance of instances) {
    for (const generation of instance.generations) {
      const name = `${instance.name}${generation.number}`;
      const stdout = generation.process.stdout();
      const scan = scanLogs([{ name: `${name} stdout`, text: stdout }, { name: `${name} stderr`, text: generation.process.stderr() }], []);
      violations.push(...scan.problems);
      const messages = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => (JSON.parse(l) as { msg?: string }).msg);
      const count = (msg: string) => messages.filter((m) => m === msg).length;
      if (count("certificate reload failed; keeping the last good pair") > 0) violations.push(`${name}: a certificate reload failed (the swap is atomic)`);
      if (instance.name === "B") {
        const valid = writes.filter((w) => w.ndots !== INVALID_NDOTS).length;
        if (count("config reloaded") !== valid) violations.push(`B: ${count("config reloaded")} config reloads for ${valid} valid versions written (a torn write applied?)`);
        if (count("config reload failed; keeping the last good config") !== 1) violations.push(`B: ${count("config reload failed; keeping the last good config")} failed reloads for 1 invalid version`);
      }
    }
  }
}

export function judgeAudit(instances: SoakInstance[], audit: AuditCounts, records: RequestRecord[], violations: string[]): void {
  for (const instance of instances) {
    for (const generation of instance.generations) {
      const counts = audit.get(`${instance.name}${generation.number}`) ?? new Map<string, number>();
      const replied = records.filter((r) => r.instance === instance.name && r.generation === generation.number && r.status === 200);
      const wrong = replied.filter((r) => counts.get(r.uid) !== 1).length;
      if (wrong > 0) violations.push(`${instance.name}${generation.number}: ${wrong} of ${replied.length} admissions without exactly one audit line`);
    }
  }
}

export function judgeMemory(samples: MemorySample[], b: SoakInstance, t0: number, warmEnd: number, maxSlope: number, violations: string[], log: (line: string) => void): number {
  const times = [...new Set(samples.map((s) => Math.round((s.at - t0) / 1000)))].sort((x, y) => x - y);
  log("RSS samples (MiB; heap used in brackets):");
  for (const time of times) {
    const cell = (name: string) => {
      const s = samples.find((x) => x.instance === name && Math.round((x.at - t0) / 1000) === time);
      return s ? `${name}${s.generation} ${(s.rss / MiB).toFixed(1).padStart(6)} [${(s.heapUsed / MiB).toFixed(1).padStart(5)}]` : `${name}  ${"-".padStart(6)}        `;
    };
    log(`  +${String(time).padStart(4)}s  ${cell("A")}  ${cell("B")}`);
  }
  const points = samples.filter((s) => s.instance === b.name && s.at >= warmEnd).map((s) => ({ x: (s.at - t0) / 60_000, y: s.rss / MiB }));
  const trend = slope(points);
  const heap = slope(samples.filter((s) => s.instance === b.name && s.at >= warmEnd).map((s) => ({ x: (s.at - t0) / 60_000, y: s.heapUsed / MiB })));
  log(`B RSS trend after warm-up (${points.length} samples): ${trend >= 0 ? "+" : ""}${trend.toFixed(2)} MiB/min (limit +${maxSlope}); heap ${heap >= 0 ? "+" : ""}${heap.toFixed(2)} MiB/min`);
  if (points.length < 3) violations.push(`only ${points.length} RSS samples of B after warm-up: no trend to judge`);
  else if (trend > maxSlope) violations.push(`B RSS grows by ${trend.toFixed(2)} MiB/min after warm-up (limit ${maxSlope})`);
  return trend;
}
