/** Runs the open-loop client (compiled JS) pinned to the load core. */
import { join } from "node:path";
import type { ProcessGroup } from "../processes.js";
import type { OpenLoopResult } from "./open-loop-client.js";

export type { OpenLoopResult };

export interface OpenLoopSpec {
  url: string;
  bodyFile: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  cpu: number;
}

export async function runOpenLoop(spec: OpenLoopSpec, buildDir: string, group: ProcessGroup): Promise<OpenLoopResult> {
  const client = join(buildDir, "test/bench/load/open-loop-client.js");
  const args = ["-c", String(spec.cpu), process.execPath, client, spec.url, spec.bodyFile, String(spec.rate), String(spec.seconds), String(spec.warmupSeconds), "64"];
  const timeoutMs = (spec.seconds + spec.warmupSeconds + 30) * 1000;
  const { code, stdout, stderr } = await group.run("taskset", args, { timeoutMs });
  const line = stdout.trim().split("\n").pop();
  if (code !== 0 || !line?.startsWith("{")) throw new Error(`open-loop client failed (exit ${code}): ${stderr.slice(-500)}`);
  return JSON.parse(line) as OpenLoopResult;
}
