/**
 * CPU profile of the webhook under saturation with one body: `node --import tsx test/bench/profile.ts`.
 * Env: BENCH_PROFILE_BODY (a body id, default gitlab), BENCH_SECONDS (default 15). Writes the
 * .cpuprofile to test/bench/results/profiles/ and prints the top self-time functions and files.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBodies } from "./bodies.js";
import { ensureWrk, runWrk, writeWrkScript } from "./load/wrk.js";
import { ProcessGroup } from "./processes.js";
import { summarizeProfile } from "./profile-summary.js";
import { startServer } from "./servers.js";

const REPO = new URL("../../", import.meta.url).pathname;
const PROFILES = join(REPO, "test/bench/results/profiles");

async function main(): Promise<void> {
  const bodyId = process.env.BENCH_PROFILE_BODY ?? "gitlab";
  const seconds = Number(process.env.BENCH_SECONDS ?? 15);
  if (!ensureWrk((l) => console.log(l))) throw new Error("profile.ts needs wrk");
  const work = mkdtempSync(join(tmpdir(), "ci-pod-webhook-profile-"));
  process.once("exit", () => rmSync(work, { recursive: true, force: true }));
  const group = new ProcessGroup();
  const bodies = buildBodies(work);
  const body = bodies.find((b) => b.id === bodyId);
  const tiny = bodies.find((b) => b.id === "tiny");
  if (!body || !tiny) throw new Error(`unknown body ${bodyId}; one of ${bodies.map((b) => b.id).join(", ")}`);
  const dir = join(PROFILES, `${bodyId}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const server = await startServer("ours", {
    repo: REPO, buildDir: "", certsDir: join(work, "certs"), auditLog: join(work, "audit.log"), cpu: 0,
    probeBody: readFileSync(tiny.file), oursNodeFlags: ["--cpu-prof", "--cpu-prof-dir", dir],
  }, group);
  const run = await runWrk({ url: server.url, bodyFile: body.file, connections: 32, seconds, cpu: 1 }, writeWrkScript(work), group);
  await group.stop(server.child);
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no profile written in ${dir}`);
  const summary = summarizeProfile(join(dir, file));
  console.log(`body ${body.id} (${body.bytes} bytes): ${run.requests} requests, ${run.rps.toFixed(0)} req/s under the profiler`);
  console.log(`profile ${join(dir, file)}: ${summary.totalMs.toFixed(0)} ms sampled\n\ntop self time by function`);
  for (const f of summary.functions) console.log(`${f.percent.toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}`);
  console.log("\ntop self time by file");
  for (const f of summary.files.slice(0, 15)) console.log(`${f.percent.toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}`);
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`profile failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
