/**
 * Shared by the hostile-input suites (test/integration/hostile-*.test.ts): a webhook process under
 * observation, requests that carry a unique marker string in places the webhook must never log, and the
 * check run after every case: a valid review is still served, memory is back at its level after a forced
 * GC, and no log line holds the marker or is too long to survive a container runtime.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Pod } from "../../../src/k8s/pod.js";
import type { Cleanup } from "../../support/server-process.js";
import { httpsCall, loadSharedFixture, podReview, type SharedFixtureName } from "../../support/tls-client.js";
import { scanLogs } from "./log-scan.js";
import { formatMemory, memoryGrowth, type MemorySample, type MemoryTolerance } from "./memory.js";
import { startObserved, stillServing, type ObservedOptions, type ObservedServer } from "./observed-server.js";
import { checkReview, type CheckedReview, type SentReview } from "./review-check.js";

const MiB = 1024 * 1024;

/** A fresh marker: letters and digits only, so no encoder changes it on its way into a log line. */
export function newMarker(): string {
  return `HOSTILEMARK${randomBytes(8).toString("hex")}`;
}

/** A shared fixture with the marker in places the webhook reads but must never log: env values, a plain annotation, args. */
export function markedPod(name: SharedFixtureName, marker: string): Pod {
  const pod = loadSharedFixture(name);
  const metadata = (pod.metadata ??= {});
  metadata.annotations = { ...metadata.annotations, "example.com/hostile-note": `${marker}-annotation` };
  for (const list of ["initContainers", "containers"] as const) {
    for (const container of pod.spec?.[list] ?? []) {
      container.env = [...(container.env ?? []), { name: "HOSTILE_TOKEN", value: `${marker}-env` }];
    }
  }
  return pod;
}

/** The review (as sent) of a marked fixture. */
export function markedReview(name: SharedFixtureName, marker: string): Record<string, unknown> {
  return podReview(markedPod(name, marker));
}

export interface HostileCaseResult {
  status: number;
  checked: CheckedReview;
}

export class HostileHarness {
  readonly markers: string[] = [];
  /** One line per case: memory after a forced GC against the baseline. */
  readonly memoryReport: string[] = [];
  #baseline: MemorySample | undefined;

  private constructor(readonly server: ObservedServer, private readonly tolerance: MemoryTolerance) {}

  /** Starts the webhook, warms it up on every fixture and on a few refusals, then takes the memory baseline. */
  static async start(cleanup: Cleanup, opts: ObservedOptions & { tolerance?: Partial<MemoryTolerance> } = {}): Promise<HostileHarness> {
    const server = await startObserved(cleanup, opts);
    const harness = new HostileHarness(server, { heapBytes: 4 * MiB, rssBytes: 48 * MiB, ...opts.tolerance });
    const warm: (string | Buffer)[] = [];
    for (const name of ["gitlab-attach-dind", "gitlab-builds-dir-dev", "jenkins-agent-dind", "arc-ephemeral-runner-dind", "tekton-taskrun-dind", "plain-nginx"] as const) {
      warm.push(JSON.stringify(podReview(loadSharedFixture(name))));
    }
    warm.push("{", "[]", '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"w","dryRun":"x"}}');
    for (let round = 0; round < 20; round++) {
      await Promise.all(warm.map((body) => httpsCall(server.target, { body, agent: server.agent, headers: { "Content-Type": "application/json" } })));
    }
    harness.#baseline = await server.memory();
    return harness;
  }

  get baseline(): MemorySample {
    assert.ok(this.#baseline);
    return this.#baseline;
  }

  /** A new marker, remembered for the log checks. */
  marker(): string {
    const marker = newMarker();
    this.markers.push(marker);
    return marker;
  }

  /** POSTs `body` to /mutate (pooled connection unless `fresh`) and checks the reply against what was sent. */
  async post(body: string | Buffer, sent: SentReview = {}, opts: { headers?: Record<string, string>; fresh?: boolean } = {}): Promise<HostileCaseResult> {
    const reply = await httpsCall(this.server.target, {
      body,
      headers: { "Content-Type": "application/json", ...opts.headers },
      ...(opts.fresh ? {} : { agent: this.server.agent }),
      timeoutMs: 30_000,
    });
    return { status: reply.status, checked: checkReview(reply.status, reply.text, sent) };
  }

  /**
   * The check after every case: a valid review still served on a new connection, heap (after a forced GC)
   * and RSS back within tolerance of the baseline, and the logs clean. Returns the memory sample.
   */
  async afterCase(what: string): Promise<MemorySample> {
    assert.deepEqual(await stillServing(this.server.target), [], `${what}: the next valid review was not served right`);
    const memory = await this.server.memory();
    this.memoryReport.push(`${what}: ${this.describeMemory(memory)}`);
    assert.deepEqual(memoryGrowth(this.baseline, memory, this.tolerance), [], `${what}: memory did not return to its level`);
    this.assertLogsClean(what);
    return memory;
  }

  assertLogsClean(what: string): void {
    const scan = scanLogs(this.server.logs(), this.markers);
    assert.deepEqual(scan.problems, [], `${what}: log problems`);
  }

  /** The closing check of every hostile suite: logs clean, then a clean SIGTERM exit (exit 0), logs still clean. */
  async assertSurvived(report: (line: string) => void): Promise<void> {
    for (const line of this.memoryReport) report(line);
    this.assertLogsClean("all cases");
    this.server.process.child.kill("SIGTERM");
    assert.equal(await this.server.process.exited, 0);
    this.assertLogsClean("after exit");
  }

  describeMemory(sample: MemorySample): string {
    return `${formatMemory(sample)} (baseline ${formatMemory(this.baseline)})`;
  }
}

/** Asserts a checked reply has no problems, naming the case. */
export function assertValidReply(result: HostileCaseResult, what: string, statuses: readonly number[] = [200, 400]): void {
  assert.deepEqual(result.checked.problems, [], `${what}: invalid reply`);
  assert.ok(statuses.includes(result.status), `${what}: HTTP ${result.status}, expected one of ${statuses.join(", ")}`);
}

export type JsonPath = (string | number)[];

/** Every path in a JSON value, the root excluded, parents before children. */
export function valuePaths(value: unknown, at: JsonPath = []): JsonPath[] {
  const out: JsonPath[] = at.length > 0 ? [at] : [];
  if (Array.isArray(value)) value.forEach((item, i) => out.push(...valuePaths(item, [...at, i])));
  else if (value !== null && typeof value === "object") for (const key of Object.keys(value)) out.push(...valuePaths((value as Record<string, unknown>)[key], [...at, key]));
  return out;
}

/** A deep copy of `root` with the value at `path` replaced (an own data property, even for `__proto__`). */
export function withValueAt(root: unknown, path: JsonPath, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  Object.defineProperty(parent, path.at(-1) as string | number, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** A path for messages: `request.object.spec.containers[0].name`. */
export function formatPath(path: JsonPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
