/**
 * Saturation with wrk (C, one thread, keep-alive), pinned to its own core. Installs the Debian package
 * when missing (the bench runs as root); returns false from ensureWrk() when that is impossible.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProcessGroup } from "../processes.js";
import type { SaturationResult, SaturationSpec } from "./saturation.js";

const LUA = `
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\n{"requests":%d,"durationUs":%d,"errors":%d,"p50Us":%d,"p99Us":%d,"maxUs":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`;

export function wrkVersion(): string | undefined {
  const out = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  if (out.error) return undefined;
  return `${out.stdout}${out.stderr}`.split("\n")[0]?.trim();
}

/** wrk on PATH, installing it with apt-get when missing. */
export function ensureWrk(log: (line: string) => void): boolean {
  if (wrkVersion()) return true;
  if (process.getuid?.() !== 0) return false;
  log("wrk missing: apt-get install -y wrk");
  for (const args of [["install", "-y", "-qq", "wrk"], ["update", "-qq"], ["install", "-y", "-qq", "wrk"]]) {
    try {
      execFileSync("apt-get", args, { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 300_000 });
    } catch {
      continue;
    }
    if (args[0] === "install" && wrkVersion()) return true;
  }
  return wrkVersion() !== undefined;
}

export function writeWrkScript(dir: string): string {
  const file = join(dir, "post-body.lua");
  writeFileSync(file, LUA);
  return file;
}

export async function runWrk(spec: SaturationSpec, script: string, group: ProcessGroup): Promise<SaturationResult> {
  const args = ["-c", String(spec.cpu), "wrk", "-t1", `-c${spec.connections}`, `-d${spec.seconds}s`, "--timeout", "10s", "-s", script, spec.url];
  const { stdout, code } = await group.run("taskset", args, { env: { ...process.env, BENCH_BODY: spec.bodyFile } });
  const line = stdout.split("\n").reverse().find((l) => l.startsWith("{"));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${stdout.slice(-500)}`);
  const r = JSON.parse(line) as { requests: number; durationUs: number; errors: number; p50Us: number; p99Us: number; maxUs: number };
  const seconds = r.durationUs / 1e6;
  return { tool: "wrk", requests: r.requests, seconds, rps: r.requests / seconds, p50Us: r.p50Us, p99Us: r.p99Us, maxUs: r.maxUs, errors: r.errors };
}
