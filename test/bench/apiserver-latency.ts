/**
 * The latency the webhook adds to a pod create on a real kube-apiserver (test/e2e/cluster): GitLab DinD
 * fixture pods created one at a time, rotating between four namespaces: no webhook, the express
 * baseline registered as a webhook, ours, and ours in audit mode (same work, no patch: what applying
 * the patch costs the API server). Same API server, same moment, so noise hits every side alike. Also captures one real AdmissionReview to check the synthetic bodies' size, and reads our
 * in-handler time from the audit log. Run: `node --import tsx test/bench/apiserver-latency.ts`.
 * Env: BENCH_CREATES (measured creates per side, default 250).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureNamespace, startCluster, type TestCluster } from "../e2e/cluster/index.js";
import { kubeClient, type KubeCall } from "./apiserver/kube-http.js";
import { startCapture } from "./apiserver/capture.js";
import { HOOKED_LABEL, webhookConfiguration } from "./apiserver/webhook-config.js";
import { buildBodies } from "./bodies.js";
import { compileBenchScripts } from "./build.js";
import { machine } from "./proc.js";
import { ProcessGroup } from "./processes.js";
import { startServer } from "./servers.js";
import { percentile } from "./stats.js";

const REPO = new URL("../../", import.meta.url).pathname;
const RESULTS = join(REPO, "test/bench/results");
const MWC = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
const MUTATED = "ci-pod-webhook.io/mutated";
const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const creates = Number(process.env.BENCH_CREATES ?? 250);
  const start = machine();
  log(`apiserver bench: ${start.cores} cores, load average ${start.loadavg.join(" ")}; starting kube-apiserver + etcd`);
  const work = mkdtempSync(join(tmpdir(), "ci-pod-webhook-apibench-"));
  process.once("exit", () => rmSync(work, { recursive: true, force: true }));
  const group = new ProcessGroup();
  const cluster = await startCluster();
  try {
    const bodies = buildBodies(work);
    const certsDir = join(work, "certs");
    const probe = readFileSync(bodies.find((b) => b.id === "tiny")?.file ?? "");
    const auditLog = join(work, "audit.log");
    const setup = { repo: REPO, buildDir: compileBenchScripts(REPO), certsDir, auditLog, probeBody: probe };
    const ours = await startServer("ours", setup, group);
    const express = await startServer("express", setup, group);
    const auditConfig = join(work, "audit-mode.json");
    writeFileSync(auditConfig, JSON.stringify({ mode: "audit" }));
    const oursAudit = await startServer("ours", { ...setup, auditLog: join(work, "audit-mode.log"), oursArgs: ["--config", auditConfig] }, group);
    const kube = kubeClient(cluster);
    const namespaces = [["bench-plain", "no"], ["bench-express", "express"], ["bench-hooked", "ours"], ["bench-nopatch", "ours-audit-mode"], ["bench-capture", "capture"]] as const;
    for (const [ns, label] of namespaces) {
      await ensureNamespace(cluster, ns, { [HOOKED_LABEL]: label });
      await kube("POST", `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: "gitlab-runner-jobs" } });
    }
    const ca = readFileSync(join(certsDir, "ca.crt"), "utf8");
    const fixture = JSON.parse(readFileSync(join(REPO, "test/fixtures/shared/gitlab-attach-dind.pod.json"), "utf8")) as { metadata: Record<string, unknown> };
    const create = (ns: string, name: string) => kube("POST", `/api/v1/namespaces/${ns}/pods`, { ...fixture, metadata: { ...fixture.metadata, name, namespace: ns } });

    const captured = await captureReview(kube, certsDir, ca, create);
    const synthetic = bodies.find((b) => b.id === "gitlab")?.bytes ?? NaN;
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, "captured-gitlab-review.json"), captured);
    log(`real AdmissionReview of the GitLab fixture: ${captured.length} bytes (synthetic bench body: ${synthetic} bytes)`);

    await kube("POST", MWC, webhookConfiguration("express", express.url, ca, "express", "Fail"));
    await kube("POST", MWC, webhookConfiguration("ours", ours.url, ca, "ours", "Fail"));
    await kube("POST", MWC, webhookConfiguration("ours-audit-mode", oursAudit.url, ca, "ours-audit-mode", "Fail"));
    await waitUntil(async (i) => isMutated((await create("bench-hooked", `probe-${i}`)).body), "the webhook to take effect");
    for (const ns of ["bench-express", "bench-nopatch"]) await waitUntil(async (i) => (await create(ns, `probe-${i}`)).status === 201, `the webhook of ${ns}`);

    const sides = { none: "bench-plain", express: "bench-express", ours: "bench-hooked", oursNoPatch: "bench-nopatch" } as const;
    const latencies: Record<keyof typeof sides, number[]> = { none: [], express: [], ours: [], oursNoPatch: [] };
    let mutated = 0;
    const warmup = 20;
    for (let i = 0; i < warmup + creates; i++) {
      for (const side of rotate(Object.keys(sides) as (keyof typeof sides)[], i)) {
        const res = await create(sides[side], `job-${i}`);
        if (res.status !== 201) throw new Error(`pod create in ${sides[side]} failed: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        if (i < warmup) continue;
        latencies[side].push(res.latencyUs);
        if (side === "ours" && isMutated(res.body)) mutated++;
      }
    }
    await group.stop(ours.child);
    const inHandler = readFileSync(auditLog, "utf8").split("\n").filter(Boolean).slice(-creates)
      .map((l) => (JSON.parse(l) as { durationMs: number }).durationMs * 1000);
    const sum = (xs: number[]) => ({ p50Ms: percentile(xs, 50) / 1000, p99Ms: percentile(xs, 99) / 1000, meanMs: xs.reduce((s, x) => s + x, 0) / xs.length / 1000 });
    const minus = (a: Stat, b: Stat): Stat => ({ p50Ms: a.p50Ms - b.p50Ms, p99Ms: a.p99Ms - b.p99Ms, meanMs: a.meanMs - b.meanMs });
    type Stat = ReturnType<typeof sum>;
    const none = sum(latencies.none);
    const rows: [string, Stat][] = [
      ["no webhook", none], ["express webhook", sum(latencies.express)], ["our webhook", sum(latencies.ours)],
      ["ours, audit mode", sum(latencies.oursNoPatch)],
      ["added by express", minus(sum(latencies.express), none)], ["added by ours", minus(sum(latencies.ours), none)],
      ["added, audit mode", minus(sum(latencies.oursNoPatch), none)],
      ["ours in-handler", sum(inHandler)],
    ];
    const result = { machine: { start, end: machine() }, creates, mutated, capturedReviewBytes: captured.length, syntheticReviewBytes: synthetic, rows: Object.fromEntries(rows) };
    log(`\n${creates} creates per side (interleaved), ${mutated} mutated by our webhook; pod create latency seen by the client:`);
    for (const [label, s] of rows) log(`${label.padEnd(18)} p50 ${s.p50Ms.toFixed(2).padStart(7)} ms  p99 ${s.p99Ms.toFixed(2).padStart(7)} ms  mean ${s.meanMs.toFixed(2).padStart(7)} ms`);
    log(`load average ${start.loadavg.join(" ")} → ${result.machine.end.loadavg.join(" ")}`);
    const file = join(RESULTS, `apiserver-${result.machine.end.at.replace(/:/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${file}`);
  } finally {
    await cluster.stop();
  }
}

/** Registers a capture webhook for bench-capture, creates one pod there, returns the review body, unregisters. */
async function captureReview(kube: KubeCall, certsDir: string, ca: string, create: (ns: string, name: string) => ReturnType<KubeCall>): Promise<Buffer> {
  const capture = await startCapture(certsDir);
  await kube("POST", MWC, webhookConfiguration("capture", capture.url, ca, "capture", "Ignore"));
  let got: Buffer | undefined;
  void capture.first.then((b) => (got = b));
  await waitUntil(async (i) => {
    await create("bench-capture", `capture-${i}`);
    return got !== undefined;
  }, "the capture webhook to be called");
  await kube("DELETE", `${MWC}/capture`);
  capture.close();
  return got as Buffer;
}

async function waitUntil(check: (attempt: number) => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (await check(i)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

function isMutated(pod: Record<string, unknown>): boolean {
  const annotations = (pod.metadata as { annotations?: Record<string, string> } | undefined)?.annotations ?? {};
  return MUTATED in annotations;
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`apiserver bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
