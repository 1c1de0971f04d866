/**
 * Fixed-rate (open-loop) load: requests are started on schedule whether or not earlier ones have
 * finished, round-robin over the instances that are ready (client-side endpoints), each reply checked.
 */
import { request } from "node:https";
import type { TLSSocket } from "node:tls";
import { checkReview } from "./support/review-check.js";
import { bodyFor, type BodyKind } from "./bodies.js";
import type { Generation, SoakInstance } from "./instances.js";

export interface RequestRecord {
  instance: string;
  generation: number;
  kind: string;
  uid: string;
  sentAt: number;
  latencyMs?: number;
  status?: number;
  /** Network error code (ECONNREFUSED, ECONNRESET, timeout...). */
  error?: string;
  /** Ways the reply is not what it must be. */
  problems: string[];
  /** The ndots value the patch sets, for CI pods. */
  ndots?: string;
  /** Fingerprint of the serving certificate seen on this request's connection. */
  cert?: string;
}

export interface LoadOptions {
  rate: number;
  bodies: BodyKind[];
  instances: SoakInstance[];
  timeoutMs: number;
  onRecord?: (record: RequestRecord) => void;
}

export class LoadGenerator {
  readonly records: RequestRecord[] = [];
  /** Times no instance was ready when a request was due. */
  noEndpoint = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight = new Set<Promise<void>>();
  #next = 0;
  #sent = 0;
  #startedAt = 0;

  constructor(private readonly opts: LoadOptions) {}

  start(): void {
    this.#startedAt = Date.now();
    this.#timer = setInterval(() => this.#tick(), 5);
  }

  /** Stops sending and waits for the requests in flight. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all([...this.#inFlight]);
  }

  #tick(): void {
    const due = Math.floor(((Date.now() - this.#startedAt) * this.opts.rate) / 1000);
    while (this.#sent < due) {
      this.#sent++;
      const ready = this.opts.instances.filter((i) => i.ready && i.current);
      if (ready.length === 0) {
        this.noEndpoint++;
        continue;
      }
      const instance = ready[this.#next++ % ready.length] as SoakInstance;
      const kind = this.opts.bodies[this.#sent % this.opts.bodies.length] as BodyKind;
      const done = this.#send(instance, instance.current as Generation, kind).then((record) => {
        this.records.push(record);
        this.opts.onRecord?.(record);
      });
      this.#inFlight.add(done);
      void done.finally(() => this.#inFlight.delete(done));
    }
  }

  #send(instance: SoakInstance, generation: Generation, kind: BodyKind): Promise<RequestRecord> {
    const { uid, text } = bodyFor(kind);
    const record: RequestRecord = { instance: instance.name, generation: generation.number, kind: kind.name, uid, sentAt: Date.now(), problems: [] };
    const started = process.hrtime.bigint();
    return new Promise((resolve) => {
      const req = request({
        host: "127.0.0.1", port: generation.target.port, path: "/mutate?timeout=10s", method: "POST", agent: generation.agent,
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) }, timeout: this.opts.timeoutMs,
      }, (res) => {
        const chunks: Buffer[] = [];
        record.cert = (res.socket as TLSSocket).getPeerCertificate?.().fingerprint256;
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (err: NodeJS.ErrnoException) => {
          record.error = err.code ?? err.message;
          resolve(record);
        });
        res.on("end", () => {
          record.latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
          record.status = res.statusCode ?? 0;
          check(record, kind, { apiVersion: "admission.k8s.io/v1", request: { uid } }, Buffer.concat(chunks).toString("utf8"));
          resolve(record);
        });
      });
      req.on("timeout", () => req.destroy(Object.assign(new Error("client timeout"), { code: "TIMEOUT" })));
      req.on("error", (err: NodeJS.ErrnoException) => {
        record.error = err.code ?? err.message;
        resolve(record);
      });
      req.end(text);
    });
  }
}

/** Fills `record.problems` and `record.ndots` from the reply. */
function check(record: RequestRecord, kind: BodyKind, sent: unknown, text: string): void {
  const status = record.status ?? 0;
  const checked = checkReview(status, text, { body: sent, applyTo: kind.expect === "patched" ? kind.pod : undefined });
  record.problems.push(...checked.problems);
  if (status !== 200) {
    record.problems.push(`HTTP ${status}`);
    return;
  }
  const response = checked.review?.response;
  if (kind.expect === "patched") {
    if (!checked.patch) record.problems.push("a CI pod was not patched");
    const options = (checked.patched as { spec?: { dnsConfig?: { options?: { name: string; value?: string }[] } } } | undefined)?.spec?.dnsConfig?.options;
    record.ndots = options?.find((o) => o.name === "ndots")?.value;
    if (record.ndots === undefined) record.problems.push("the patch sets no ndots");
  } else if (kind.expect === "denied") {
    if (response?.allowed !== false || !/BUILDS_DIR_SYSTEM_PATH/.test(response.status?.message ?? "")) record.problems.push("the /dev pod was not denied with BUILDS_DIR_SYSTEM_PATH");
  } else if (response?.allowed !== true || response.patch !== undefined) {
    record.problems.push("a non-CI pod was not admitted unchanged");
  }
}
