/**
 * The soak's webhook instances: real `serve` processes sharing one config file and one Secret-style
 * certificate mount, each generation with its own audit file, a pooled HTTPS agent, and a readiness poller
 * that marks the instance as an endpoint only while /readyz answers 200, as a Service would.
 */
import { Agent } from "node:https";
import { join } from "node:path";
import { spawnServer, type Cleanup, type ServerProcess } from "../support/server-process.js";
import {
  collect, loadSharedFixture, metricValue, openTls, opsCall, podReview, rawJsonBody, writeRaw, SERVICE_NAME, type TlsTarget,
} from "../support/tls-client.js";
import { checkReview } from "./support/review-check.js";

export interface InstanceSetup {
  dir: string;
  configPath: string;
  certPath: string;
  keyPath: string;
  /** The CA bundle the client trusts (every CA the certificates may come from). */
  caBundle: string[];
  reloadIntervalSeconds: number;
  readinessPollMs: number;
}

export interface Generation {
  number: number;
  process: ServerProcess;
  agent: Agent;
  target: TlsTarget;
  auditPath: string;
  startedAt: number;
  /** When SIGTERM was sent, if it was. */
  signalledAt?: number;
  exitCode?: number | string;
}

export interface MemorySample {
  at: number;
  instance: string;
  generation: number;
  rss: number;
  heapUsed: number;
}

export class SoakInstance {
  readonly generations: Generation[] = [];
  ready = false;
  #poller: NodeJS.Timeout | undefined;

  constructor(readonly name: string, private readonly setup: InstanceSetup, private readonly cleanup: Cleanup) {}

  get current(): Generation | undefined {
    return this.generations.at(-1);
  }

  /** Spawns a new generation and starts polling its readiness. */
  async start(): Promise<Generation> {
    const number = this.generations.length + 1;
    const { dir, configPath, certPath, keyPath, caBundle, reloadIntervalSeconds } = this.setup;
    const auditPath = join(dir, `${this.name}-${number}-audit.log`);
    const process = await spawnServer(this.cleanup, [
      "--config", configPath, "--tls-cert", certPath, "--tls-key", keyPath, "--audit-log", auditPath, "--reload-interval", String(reloadIntervalSeconds),
    ], { home: dir, startTimeoutMs: 30_000 });
    const agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 5_000, ca: caBundle, servername: SERVICE_NAME });
    this.cleanup.after(() => agent.destroy());
    const generation: Generation = { number, process, agent, target: { port: process.port, ca: caBundle }, auditPath, startedAt: Date.now() };
    void process.exited.then((code) => (generation.exitCode = code));
    this.generations.push(generation);
    this.#poll(generation);
    return generation;
  }

  /** SIGTERM to the current generation; resolves with its exit code. */
  async terminate(): Promise<number | string> {
    const generation = this.current;
    if (!generation) throw new Error(`${this.name} is not running`);
    generation.signalledAt = Date.now();
    generation.process.child.kill("SIGTERM");
    const code = await generation.process.exited;
    generation.agent.destroy();
    return code;
  }

  stopPolling(): void {
    if (this.#poller) clearInterval(this.#poller);
    this.#poller = undefined;
    this.ready = false;
  }

  /** RSS and heap of the current generation from its /metrics, or undefined when it cannot answer. */
  async sampleMemory(): Promise<MemorySample | undefined> {
    const generation = this.current;
    if (!generation || generation.exitCode !== undefined) return undefined;
    try {
      const text = (await opsCall(generation.process.opsPort, "/metrics")).text;
      return {
        at: Date.now(), instance: this.name, generation: generation.number,
        rss: metricValue(text, "ci_pod_webhook_process_resident_memory_bytes"),
        heapUsed: metricValue(text, "ci_pod_webhook_nodejs_heap_size_used_bytes"),
      };
    } catch {
      return undefined;
    }
  }

  #poll(generation: Generation): void {
    if (this.#poller) clearInterval(this.#poller);
    this.ready = false;
    let polling = false;
    const check = async () => {
      if (polling) return;
      polling = true;
      try {
        const reply = await opsCall(generation.process.opsPort, "/readyz");
        this.ready = reply.status === 200 && this.current === generation;
      } catch {
        this.ready = false;
      } finally {
        polling = false;
      }
    };
    void check();
    this.#poller = setInterval(() => void check(), this.setup.readinessPollMs);
    this.#poller.unref();
  }
}

/** A review to A whose headers and half its body are sent; `finish()` sends the rest and checks the reply. */
export async function startSlowRequest(generation: Generation): Promise<{ finish(): Promise<string[]> }> {
  const pod = loadSharedFixture("tekton-taskrun-dind");
  const review = podReview(pod);
  const body = JSON.stringify(review);
  const socket = await openTls(generation.target);
  const reply = collect(socket, 20_000, (text) => {
    const headEnd = text.indexOf("\r\n\r\n");
    const length = Number(/content-length: (\d+)/i.exec(text)?.[1]);
    return headEnd !== -1 && Buffer.byteLength(text.slice(headEnd + 4)) >= length;
  });
  const half = Math.floor(body.length / 2);
  await writeRaw(socket, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`);
  return {
    finish: async () => {
      await writeRaw(socket, body.slice(half));
      const exchange = await reply;
      socket.destroy();
      if (exchange.status !== 200) return [`HTTP ${String(exchange.status)} ${exchange.error ?? ""}`];
      const checked = checkReview(200, JSON.stringify(rawJsonBody(exchange)), { body: review, applyTo: pod });
      if (!checked.patch) checked.problems.push("not patched");
      if (!/connection: close/i.test(exchange.text)) checked.problems.push("no Connection: close while draining");
      return checked.problems;
    },
  };
}
