/**
 * What a mutating webhook's JSON patch costs kube-apiserver (test/e2e/cluster, v1.33), per patch shape.
 * One in-process webhook answers each namespace's pod creates with a fixed patch (see patch-variants.ts):
 * none, allowed without patch, 1-op annotation, a 1-op no-change patch, 1 deep op, our real 19-op patch
 * (reinvocationPolicy Never and IfNeeded), the same final pod with fewer / coarser ops, dnsConfig+hostAliases
 * only, CA volume+mounts only. GitLab DinD fixture pods.
 *
 * Phases: (1) latency seen by the client, variants interleaved create by create (round-robin, rotated);
 * (2) attribution in blocks of creates per variant (rotated, several rounds): kube-apiserver's own
 * histograms (request duration, request SLI duration = request minus the webhook call, admission step,
 * mutating plugin invocations, webhook duration) and the apiserver's CPU time from /proc; (3) optional
 * Go CPU profiles of kube-apiserver per variant (`go tool pprof`).
 *
 * Run: `node --import tsx test/bench/apiserver/patch-cost.ts` (about 3-4 minutes on 2 cores).
 * Env: PATCH_COST_CREATES (interleaved creates per variant, default 300), PATCH_COST_BLOCK (creates per
 * block, default 40), PATCH_COST_ROUNDS (block rounds, default 3), PATCH_COST_PROFILE (comma list of
 * variants to CPU-profile, default all but none; empty: no profiles), PATCH_COST_PROFILE_SECONDS (8).
 * Writes test/bench/results/patch-cost-<time>.json (+ the captured review, .pprof files and pprof tops); then
 * go-patch-cost/ times the API server's steps offline on that review and those patches (command printed at the end).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Operation } from "fast-json-patch";
import { ensureNamespace, startCluster } from "../../e2e/cluster/index.js";
import { machine, cpuMicros } from "../proc.js";
import { percentile } from "../stats.js";
import { histogramTotal, rawGetter, type MetricSpec } from "./apiserver-probe.js";
import { startFixedPatchWebhook, type FixedPatchWebhook, type PatchTemplate } from "./fixed-patch-webhook.js";
import { kubeClient, type KubeResponse } from "./kube-http.js";
import { buildVariants, normalizedPod, type PatchVariant } from "./patch-variants.js";
import { HOOKED_LABEL, webhookConfiguration } from "./webhook-config.js";

const REPO = new URL("../../../", import.meta.url).pathname;
const RESULTS = join(REPO, "test/bench/results");
const MWC = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
const TOKEN_VOLUME = /kube-api-access-[a-z0-9]{5}/;
const log = (line: string) => process.stdout.write(`${line}\n`);

const METRICS = {
  request: ["apiserver_request_duration_seconds", { verb: "POST", resource: "pods" }],
  sli: ["apiserver_request_sli_duration_seconds", { verb: "POST", resource: "pods" }],
  admit: ["apiserver_admission_step_admission_duration_seconds", { type: "admit", operation: "CREATE" }],
  validate: ["apiserver_admission_step_admission_duration_seconds", { type: "validate", operation: "CREATE" }],
  mutatingPlugin: ["apiserver_admission_controller_admission_duration_seconds", { name: "MutatingAdmissionWebhook", type: "admit", operation: "CREATE" }],
  webhook: ["apiserver_admission_webhook_admission_duration_seconds", { type: "admit", operation: "CREATE" }],
  etcd: ["etcd_request_duration_seconds", { operation: "create" }],
} as const satisfies Record<string, MetricSpec>;
type MetricName = keyof typeof METRICS;

/** pprof functions reported per create (cumulative CPU). */
const PPROF_FUNCTIONS: [label: string, pattern: RegExp][] = [
  ["create: fieldmanager+admission+storage", /handlers\.CreateResource\.createHandler\.func1\.2$/],
  ["field manager UpdateNoErrors", /\(\*FieldManager\)\.UpdateNoErrors$/],
  ["admission chain, admit (both rounds)", /admission\.\(\*reinvoker\)\.Admit$/],
  ["mutating webhook Dispatch", /mutating\.\(\*mutatingDispatcher\)\.Dispatch$/],
  ["callAttrMutatingHook", /mutating\.\(\*mutatingDispatcher\)\.callAttrMutatingHook$/],
  ["reinvocation round DeepEqual", /IsOutputChangedSinceLastWebhookInvocation$/],
  ["webhook HTTP call (rest Request.Do)", /rest\.\(\*Request\)\.Do$/],
  ["json-patch DecodePatch", /json-patch.*\.DecodePatch$/],
  ["json-patch Apply", /json-patch.*\.Patch\.ApplyIndent$/],
  ["runtime.Encode (all)", /apimachinery\/pkg\/runtime\.Encode$/],
  ["json Serializer.Decode (all)", /serializer\/json\.\(\*Serializer\)\.Decode$/],
  ["Semantic.DeepEqual (all)", /reflect\.Equalities\.DeepEqual$/],
  ["Scheme.Default (all)", /runtime\.\(\*Scheme\)\.Default$/],
  ["Scheme.Convert (all)", /runtime\.\(\*Scheme\)\.Convert$/],
  ["Pod DeepCopy (all)", /\(\*Pod\)\.DeepCopy(Object)?$/],
  ["registry Store.Create", /registry\.\(\*Store\)\.Create$/],
  ["GC background mark", /runtime\.gcBgMarkWorker$/],
  ["mallocgc", /runtime\.mallocgc$/],
];

interface BlockTotals {
  creates: number;
  apiserverCpuUs: number;
  etcdCpuUs: number;
  metrics: Record<MetricName, { sum: number; count: number }>;
}

async function main(): Promise<void> {
  const creates = Number(process.env.PATCH_COST_CREATES ?? 300);
  const blockCreates = Number(process.env.PATCH_COST_BLOCK ?? 40);
  const rounds = Number(process.env.PATCH_COST_ROUNDS ?? 3);
  const profiled = (process.env.PATCH_COST_PROFILE ?? "allow,ann1,noop1,env1,real,fewer,coarse,spec,dns,ca").split(",").map((s) => s.trim()).filter(Boolean);
  const profileSeconds = Number(process.env.PATCH_COST_PROFILE_SECONDS ?? 8);
  const warmup = 20;
  const start = machine();
  log(`patch-cost bench: ${start.cores} cores, load average ${start.loadavg.join(" ")}; starting kube-apiserver + etcd`);
  const stamp = start.at.replace(/:/g, "-");
  mkdirSync(RESULTS, { recursive: true });
  const cluster = await startCluster({ extraApiserverArgs: ["--profiling=true"] });
  let hook: FixedPatchWebhook | undefined;
  try {
    const pki = join(cluster.dir, "pki");
    // The apiserver's serving certificate names 127.0.0.1 and is signed by the cluster CA: reuse it for the webhook.
    const tls = { cert: readFileSync(join(pki, "apiserver.crt"), "utf8"), key: readFileSync(join(pki, "apiserver.key"), "utf8") };
    const templates = new Map<string, PatchTemplate>([["capture", {}]]);
    hook = await startFixedPatchWebhook(tls, templates);
    const webhookUrl = hook.url;
    const kube = kubeClient(cluster);
    const get = rawGetter(cluster);
    const fixture = JSON.parse(readFileSync(join(REPO, "test/fixtures/shared/gitlab-attach-dind.pod.json"), "utf8")) as { metadata: Record<string, unknown> };
    const create = async (ns: string, name: string): Promise<KubeResponse> => {
      const res = await kube("POST", `/api/v1/namespaces/${ns}/pods`, { ...fixture, metadata: { ...fixture.metadata, name, namespace: ns } });
      if (res.status !== 201) throw new Error(`pod create in ${ns} failed: ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
      return res;
    };
    const setUpNamespace = async (ns: string, label: string) => {
      await ensureNamespace(cluster, ns, { [HOOKED_LABEL]: label });
      await kube("POST", `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: "gitlab-runner-jobs" } });
    };
    const register = async (id: string, policy: "Never" | "IfNeeded" = "Never") => {
      const cfg = webhookConfiguration(`pc-${id}`, `${webhookUrl}/v/${id}`, cluster.caCertPem, id, "Fail") as { webhooks: Record<string, unknown>[] };
      cfg.webhooks = cfg.webhooks.map((w) => ({ ...w, reinvocationPolicy: policy }));
      const res = await kube("POST", MWC, cfg);
      if (res.status !== 201) throw new Error(`registering webhook ${id}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    };

    // The real review the API server sends for the fixture, and our patch for it.
    await setUpNamespace("pc-capture", "capture");
    await register("capture");
    const captured = hook.nextBody("capture");
    await waitUntil(async (i) => (await create("pc-capture", `capture-${i}`), (hook?.counts.get("capture") ?? 0) > 0), "the capture webhook");
    const reviewText = await captured;
    await kube("DELETE", `${MWC}/pc-capture`);
    const reviewFile = join(RESULTS, `patch-cost-${stamp}-review.json`);
    writeFileSync(reviewFile, reviewText);
    const explain = (file: string) => JSON.parse(execFileSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "explain", "--file", file, "--output", "patch"], { cwd: REPO, encoding: "utf8" })) as Operation[];
    const realPatch = explain(reviewFile);
    const fixturePatch = explain(join(REPO, "test/fixtures/shared/gitlab-attach-dind.pod.json"));
    const pathDiffs = realPatch.flatMap((op, i) => (op.path === fixturePatch[i]?.path ? [] : [`${fixturePatch[i]?.path} → ${op.path}`]));
    log(`captured review ${reviewText.length} bytes; our patch: ${realPatch.length} ops, ${JSON.stringify(realPatch).length} bytes` +
      (pathDiffs.length ? ` (explain on the fixture file differs only in ${pathDiffs.length} paths: ${pathDiffs.join(", ")}; the ServiceAccount volume is appended before the webhook runs)` : ""));
    const pod = (JSON.parse(reviewText) as { request: { object: Record<string, never> } }).request.object;
    const tokenVolume = TOKEN_VOLUME.exec(JSON.stringify(pod))?.[0];
    const variants = buildVariants(pod, realPatch);
    for (const v of variants) {
      if (!v.patch) continue;
      const json = v.patch.length > 0 ? JSON.stringify(v.patch) : undefined;
      templates.set(v.id, { ...(json !== undefined ? { json } : {}), ...(json && tokenVolume && json.includes(tokenVolume) ? { tokenVolume } : {}) });
    }
    const ns = (v: PatchVariant) => `pc-${v.id}`;
    for (const v of variants) {
      await setUpNamespace(ns(v), v.id);
      if (v.patch) await register(v.id, v.reinvocationPolicy);
    }
    for (const v of variants) {
      if (v.patch) await waitUntil(async (i) => (await create(ns(v), `probe-${i}`), (hook?.counts.get(v.id) ?? 0) > 0), `the webhook of ${v.id}`);
    }
    const shapes = verify(variants, Object.fromEntries(await sequential(variants, async (v) => [v.id, (await create(ns(v), "verify")).body] as const)));
    log("variants (all checked: created pod as expected; e/e2/e3/d' give the same pod as d):");
    for (const v of variants) log(`  ${v.letter.padEnd(3)} ${v.id.padEnd(14)} ${v.patch ? `${v.patch.length} ops, ${v.patch.length ? JSON.stringify(v.patch).length : 0} B` : "-"}  ${v.description}`);

    // Phase 1: latency, interleaved create by create.
    log(`\nphase 1: ${warmup} + ${creates} creates per variant, interleaved (${variants.length} variants)`);
    const latency = new Map<string, number[]>(variants.map((v) => [v.id, []]));
    const handlerBefore = new Map([...hook.handlerUs].map(([k, xs]) => [k, xs.length]));
    for (let i = 0; i < warmup + creates; i++) {
      for (const v of rotate(variants, i)) {
        const res = await create(ns(v), `job-${i}`);
        if (i >= warmup) latency.get(v.id)?.push(res.latencyUs);
      }
    }
    const phase1End = machine();
    const callsPerCreate = new Map(variants.map((v) => [v.id, ((hook?.handlerUs.get(v.id)?.length ?? 0) - (handlerBefore.get(v.id) ?? 0)) / (warmup + creates)]));

    // Phase 2: attribution in blocks.
    log(`phase 2: ${rounds} rounds × ${blockCreates} creates per variant in blocks, apiserver metrics + CPU`);
    const blocks = new Map<string, BlockTotals>(variants.map((v) => [v.id, emptyTotals()]));
    const snapshot = async () => {
      const text = (await get("/metrics")).toString("utf8");
      return {
        apiCpu: cpuMicros(cluster.pids.apiserver), etcdCpu: cpuMicros(cluster.pids.etcd),
        metrics: Object.fromEntries(Object.entries(METRICS).map(([k, spec]) => [k, histogramTotal(text, spec)])) as BlockTotals["metrics"],
      };
    };
    for (let r = 0; r < rounds; r++) {
      for (const v of rotate(variants, r * 5)) {
        await create(ns(v), `blk-warm-${r}`);
        const before = await snapshot();
        for (let k = 0; k < blockCreates; k++) await create(ns(v), `blk-${r}-${k}`);
        const after = await snapshot();
        const t = blocks.get(v.id) as BlockTotals;
        t.creates += blockCreates;
        t.apiserverCpuUs += after.apiCpu - before.apiCpu;
        t.etcdCpuUs += after.etcdCpu - before.etcdCpu;
        for (const k of Object.keys(METRICS) as MetricName[]) {
          t.metrics[k].sum += after.metrics[k].sum - before.metrics[k].sum;
          t.metrics[k].count += after.metrics[k].count - before.metrics[k].count;
        }
      }
    }

    // Phase 3: CPU profiles.
    const profiles: Record<string, { creates: number; file: string; totalSeconds: number; perCreateUs: Record<string, number>; inHookUs: Record<string, number> }> = {};
    const go = findGo();
    for (const id of profiled) {
      const v = variants.find((x) => x.id === id);
      if (!v) throw new Error(`PATCH_COST_PROFILE: unknown variant ${id}`);
      log(`phase 3: CPU profile of kube-apiserver, ${profileSeconds} s of creates in ${ns(v)}`);
      let done = false;
      let n = 0;
      const profile = get(`/debug/pprof/profile?seconds=${profileSeconds}`, (profileSeconds + 30) * 1000).finally(() => (done = true));
      while (!done) await create(ns(v), `prof-${n++}`);
      const file = join(RESULTS, `patch-cost-${stamp}-${id}.pprof`);
      writeFileSync(file, await profile);
      profiles[id] = { creates: n, file, totalSeconds: NaN, perCreateUs: {}, inHookUs: {} };
      if (go) {
        const top = execFileSync(go, ["tool", "pprof", "-top", "-cum", "-nodecount=100000", "-nodefraction=0", "-edgefraction=0", file], { encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "ignore"] });
        writeFileSync(file.replace(/\.pprof$/, ".top.txt"), top);
        const hookTop = execFileSync(go, ["tool", "pprof", "-top", "-cum", "-nodecount=100000", "-nodefraction=0", "-edgefraction=0", "-focus=callAttrMutatingHook", file], { encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "ignore"] });
        writeFileSync(file.replace(/\.pprof$/, ".hook-top.txt"), hookTop);
        const perCreate = (parsed: ReturnType<typeof parseTop>) => Object.fromEntries(PPROF_FUNCTIONS.map(([label, re]) => [label, ((parsed.cum.find(([name]) => re.test(name))?.[1] ?? 0) * 1e6) / n]));
        const parsed = parseTop(top);
        profiles[id] = { creates: n, file, totalSeconds: parsed.totalSeconds, perCreateUs: perCreate(parsed), inHookUs: perCreate(parseTop(hookTop)) };
      }
    }
    const end = machine();

    // Report.
    const stat = (xs: number[]) => ({ p50Ms: percentile(xs, 50) / 1000, meanMs: xs.reduce((s, x) => s + x, 0) / xs.length / 1000, p90Ms: percentile(xs, 90) / 1000 });
    const base = stat(latency.get("allow") ?? []);
    const none = stat(latency.get("none") ?? []);
    const perCreate = (t: BlockTotals, k: MetricName) => (t.metrics[k].sum / t.creates) * 1000;
    const rows = variants.map((v) => {
      const s = stat(latency.get(v.id) ?? []);
      const t = blocks.get(v.id) as BlockTotals;
      const handler = (hook?.handlerUs.get(v.id) ?? []).slice(handlerBefore.get(v.id) ?? 0, (handlerBefore.get(v.id) ?? 0) + warmup + creates);
      return {
        letter: v.letter, id: v.id, description: v.description, ops: v.patch?.length ?? null,
        patchBytes: v.patch && v.patch.length ? JSON.stringify(v.patch).length : 0,
        ...s, vsNoneP50Ms: s.p50Ms - none.p50Ms, vsAllowP50Ms: s.p50Ms - base.p50Ms, vsAllowMeanMs: s.meanMs - base.meanMs,
        blocks: {
          creates: t.creates,
          requestMs: perCreate(t, "request"), sliMs: perCreate(t, "sli"), webhookCallMs: perCreate(t, "request") - perCreate(t, "sli"),
          admitStepMs: perCreate(t, "admit"), validateStepMs: perCreate(t, "validate"), webhookMs: perCreate(t, "webhook"),
          mutatingPluginCallsPerCreate: t.metrics.mutatingPlugin.count / t.creates, etcdCreateMs: perCreate(t, "etcd"),
          apiserverCpuMs: t.apiserverCpuUs / t.creates / 1000, etcdCpuMs: t.etcdCpuUs / t.creates / 1000,
        },
        webhookHandlerMeanUs: handler.length ? handler.reduce((a, b) => a + b, 0) / handler.length : 0,
        webhookCallsPerCreate: callsPerCreate.get(v.id) ?? 0,
      };
    });
    const f = (x: number, w = 6) => x.toFixed(2).padStart(w);
    log(`\n== phase 1: client-side pod create latency, ${creates} interleaved creates per variant ==`);
    log(`${"".padEnd(3)} ${"variant".padEnd(14)} ${"ops".padStart(4)} ${"bytes".padStart(6)}   p50 ms  mean ms   p90 ms  Δp50 vs b  Δmean vs b  hook µs  calls/create`);
    for (const r of rows) log(`${r.letter.padEnd(3)} ${r.id.padEnd(14)} ${String(r.ops ?? "-").padStart(4)} ${String(r.patchBytes).padStart(6)}   ${f(r.p50Ms)}   ${f(r.meanMs)}   ${f(r.p90Ms)}     ${f(r.vsAllowP50Ms)}      ${f(r.vsAllowMeanMs)}   ${r.webhookHandlerMeanUs.toFixed(0).padStart(6)}  ${r.webhookCallsPerCreate.toFixed(2).padStart(6)}`);
    log(`\n== phase 2: kube-apiserver's view, means per create over ${rounds * blockCreates} creates per variant (blocks) ==`);
    log(`${"".padEnd(3)} ${"variant".padEnd(14)} request  sli(=req-call)  call   admit-step  webhook-metric  mut.plugin calls  validate  etcd   apiserver CPU  etcd CPU`);
    for (const r of rows) {
      const b = r.blocks;
      log(`${r.letter.padEnd(3)} ${r.id.padEnd(14)} ${f(b.requestMs)}  ${f(b.sliMs)}        ${f(b.webhookCallMs)}  ${f(b.admitStepMs)}      ${f(b.webhookMs)}          ${b.mutatingPluginCallsPerCreate.toFixed(2).padStart(5)}      ${f(b.validateStepMs)}  ${f(b.etcdCreateMs)}  ${f(b.apiserverCpuMs)}        ${f(b.etcdCpuMs)}`);
    }
    if (Object.keys(profiles).length) {
      log(`\n== phase 3: kube-apiserver CPU (pprof, cumulative) per create, µs ==`);
      const ids = Object.keys(profiles);
      log(`${"".padEnd(38)} ${ids.map((id) => id.padStart(9)).join(" ")}`);
      log(`${"creates profiled".padEnd(38)} ${ids.map((id) => String(profiles[id]?.creates).padStart(9)).join(" ")}`);
      log(`${"all samples".padEnd(38)} ${ids.map((id) => ((profiles[id]?.totalSeconds ?? NaN) * 1e6 / (profiles[id]?.creates ?? NaN)).toFixed(0).padStart(9)).join(" ")}`);
      for (const [label] of PPROF_FUNCTIONS) log(`${label.padEnd(38)} ${ids.map((id) => (profiles[id]?.perCreateUs[label] ?? NaN).toFixed(0).padStart(9)).join(" ")}`);
      log(`-- of which inside callAttrMutatingHook (pprof -focus) --`);
      for (const label of ["webhook HTTP call (rest Request.Do)", "json-patch DecodePatch", "json-patch Apply", "runtime.Encode (all)", "json Serializer.Decode (all)", "Semantic.DeepEqual (all)", "Scheme.Default (all)"]) {
        log(`${label.replace(" (all)", "").padEnd(38)} ${ids.map((id) => (profiles[id]?.inHookUs[label] ?? NaN).toFixed(0).padStart(9)).join(" ")}`);
      }
    }
    log(`\nload average: start ${start.loadavg.join(" ")}, after phase 1 ${phase1End.loadavg.join(" ")}, end ${end.loadavg.join(" ")} (${start.cores} cores)`);
    const file = join(RESULTS, `patch-cost-${stamp}.json`);
    writeFileSync(file, `${JSON.stringify({ machine: { start, phase1End, end }, creates, warmup, blockCreates, rounds, shapes, variants: variants.map((v) => ({ ...v })), rows, profiles }, null, 2)}\n`);
    log(`wrote ${file}`);
    log(`step costs without the network (Go, same libraries): cd test/bench/apiserver/go-patch-cost && GOPROXY=off GOFLAGS=-mod=mod go run . --review ${reviewFile} --variants ${file}`);
  } finally {
    await hook?.close();
    await cluster.stop();
  }
}

/** Checks each variant's created pod; returns a few shape facts for the report. */
function verify(variants: PatchVariant[], pods: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const norm = (id: string) => normalizedPod(pods[id] ?? {});
  const real = norm("real");
  const spec = (id: string) => (pods[id]?.spec ?? {}) as { containers: { env?: { name: string }[] }[]; volumes: { name: string }[]; dnsConfig?: unknown; hostAliases?: unknown };
  const annotations = (id: string) => ((pods[id]?.metadata as { annotations?: Record<string, string> }).annotations ?? {});
  const fail = (msg: string) => { throw new Error(`verification: ${msg}`); };
  if (norm("allow") !== norm("none")) fail("allow changed the pod");
  if (norm("noop1") !== norm("allow")) fail("noop1 changed the pod");
  for (const v of variants) if (v.samePodAsReal && norm(v.id) !== real) fail(`${v.id} does not give the same pod as real`);
  if (real === norm("allow")) fail("real did not change the pod");
  if (!("ci-pod-webhook.io/mutated" in annotations("ann1"))) fail("ann1: no annotation");
  if ((spec("env1").containers[0]?.env?.length ?? 0) !== (spec("allow").containers[0]?.env?.length ?? 0) + 1) fail("env1: env not one longer");
  if (!spec("dns").dnsConfig || !spec("dns").hostAliases) fail("dns: dnsConfig/hostAliases missing");
  if (!spec("ca").volumes.some((v) => v.name === "ci-pod-webhook-ca") || spec("ca").containers.some((c) => c.env?.some((e) => e.name === "SSL_CERT_FILE"))) fail("ca: wrong shape");
  const s = spec("real");
  return { containers: s.containers.length, envPerContainer: s.containers.map((c) => c.env?.length ?? 0), podJsonBytes: JSON.stringify(pods.real).length };
}

function emptyTotals(): BlockTotals {
  return { creates: 0, apiserverCpuUs: 0, etcdCpuUs: 0, metrics: Object.fromEntries(Object.keys(METRICS).map((k) => [k, { sum: 0, count: 0 }])) as BlockTotals["metrics"] };
}

/** `go tool pprof -top -cum` output: total sampled seconds and [function, cum seconds]. */
function parseTop(text: string): { totalSeconds: number; cum: [string, number][] } {
  const seconds = (s: string) => {
    const m = /^([\d.]+)(ns|us|µs|ms|s|mins?|hrs?)$/.exec(s);
    if (!m) return NaN;
    const unit = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, min: 60, mins: 60, hr: 3600, hrs: 3600 }[m[2] as string] ?? NaN;
    return Number(m[1]) * unit;
  };
  const total = /Total samples = (\S+)/.exec(text)?.[1];
  const cum: [string, number][] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*(\S+)\s+\S+%\s+\S+%\s+(\S+)\s+\S+%\s+(.+)$/.exec(line);
    if (m) cum.push([(m[3] as string).replace(/\s*\(inline\)\s*$/, "").trim(), seconds(m[2] as string)]);
  }
  return { totalSeconds: total ? seconds(total) : NaN, cum };
}

function findGo(): string | undefined {
  for (const candidate of ["go", "/usr/local/go/bin/go"]) {
    try {
      execFileSync(candidate, ["version"], { stdio: "ignore" });
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

async function sequential<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
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

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`patch-cost bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
