/** Fallback when wrk cannot be installed: the autocannon CLI (a devDependency), pinned to the load core. */
import { join } from "node:path";
import type { ProcessGroup } from "../processes.js";
import type { SaturationResult, SaturationSpec } from "./saturation.js";

interface AutocannonJson {
  requests: { total: number };
  duration: number;
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

export async function runAutocannon(spec: SaturationSpec, repo: string, group: ProcessGroup): Promise<SaturationResult> {
  const cli = join(repo, "node_modules/autocannon/autocannon.js");
  const args = ["-c", String(spec.cpu), process.execPath, cli, "-j", "-c", String(spec.connections), "-d", String(spec.seconds),
    "-m", "POST", "-H", "Content-Type=application/json", "-i", spec.bodyFile, spec.url];
  const { code, stdout, stderr } = await group.run("taskset", args, { timeoutMs: (spec.seconds + 60) * 1000 });
  if (code !== 0) throw new Error(`autocannon failed (exit ${code}): ${stderr.slice(-500)}`);
  const r = JSON.parse(stdout) as AutocannonJson;
  // autocannon reports latency in milliseconds.
  return {
    tool: "autocannon", requests: r.requests.total, seconds: r.duration, rps: r.requests.total / r.duration,
    p50Us: r.latency.p50 * 1000, p99Us: r.latency.p99 * 1000, maxUs: r.latency.max * 1000, errors: r.errors + r.timeouts + r.non2xx,
  };
}
