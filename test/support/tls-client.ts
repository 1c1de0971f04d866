/**
 * A client that talks to the webhook the way the API server does: HTTPS with the CA pinned and the server
 * name checked (never `rejectUnauthorized: false`), a fresh connection per request unless told otherwise.
 * Also raw TLS sockets for hand-crafted bytes, plain HTTP for the ops port, and the shared CI pod fixtures.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest, type Agent as HttpsAgent } from "node:https";
import { connect, type ConnectionOptions, type PeerCertificate, type TLSSocket } from "node:tls";
import type { Pod } from "../../src/k8s/pod.js";

/** The SNI the API server sends for a webhook Service `ci-pod-webhook` in namespace `ci-pod-webhook`. */
export const SERVICE_NAME = "ci-pod-webhook.ci-pod-webhook.svc";

/** The shared fixtures, from `test/fixtures/shared/` (one loader for every suite: ./fixtures.ts). */
export { SHARED_FIXTURES as SHARED_FIXTURE_NAMES, loadFixture as loadSharedFixture } from "./fixtures.js";
export type { SharedFixture as SharedFixtureName } from "./fixtures.js";

/** Where and how to reach the webhook's TLS port. */
export interface TlsTarget {
  port: number;
  /** The CA(s) to trust: exactly what a caBundle would hold. */
  ca: string | Buffer | (string | Buffer)[];
  /** SNI and the name checked against the certificate; defaults to SERVICE_NAME. `null`: none (check the IP SAN). */
  servername?: string | null;
  host?: string;
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The server certificate this connection saw (HTTPS only). */
  peer?: PeerCertificate;
}

export interface RequestOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  /** Extra TLS options, e.g. `maxVersion`. */
  tls?: ConnectionOptions;
  timeoutMs?: number;
  /** A keep-alive agent to pool connections (as the API server does); default a new connection per request. */
  agent?: HttpsAgent;
}

function tlsOptions(target: TlsTarget): ConnectionOptions {
  const servername = target.servername === undefined ? SERVICE_NAME : target.servername;
  return { host: target.host ?? "127.0.0.1", port: target.port, ca: target.ca, ...(servername === null ? {} : { servername }) };
}

/** One HTTPS request on a new connection (`agent: false`), verified against `target.ca` and the server name. */
export function httpsCall(target: TlsTarget, opts: RequestOptions = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        ...tlsOptions(target),
        ...opts.tls,
        agent: opts.agent ?? false,
        method: opts.method ?? "POST",
        path: opts.path ?? "/mutate",
        headers: opts.headers ?? {},
        timeout: opts.timeoutMs ?? 10_000,
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate?.();
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8"), ...(peer ? { peer } : {}) }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("client timeout")));
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** An AdmissionReview reply, parsed, with the HTTP status kept. */
export interface ReviewReply {
  status: number;
  headers: IncomingHttpHeaders;
  review: {
    apiVersion: string;
    kind: string;
    response: {
      uid: string;
      allowed: boolean;
      patchType?: string;
      patch?: string;
      status?: { code: number; reason?: string; message: string };
      warnings?: string[];
      auditAnnotations?: Record<string, string>;
    };
  };
  peer?: PeerCertificate;
}

/** POSTs a JSON body (object or raw text) to /mutate and parses the reply as an AdmissionReview. */
export async function postReview(target: TlsTarget, body: unknown, opts: RequestOptions = {}): Promise<ReviewReply> {
  const text = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const reply = await httpsCall(target, { ...opts, body: text, headers: { "Content-Type": "application/json", ...opts.headers } });
  let review: ReviewReply["review"];
  try {
    review = JSON.parse(reply.text) as ReviewReply["review"];
  } catch {
    throw new Error(`reply is not JSON (HTTP ${reply.status}): ${reply.text.slice(0, 200)}`);
  }
  return { status: reply.status, headers: reply.headers, review, ...(reply.peer ? { peer: reply.peer } : {}) };
}

export interface ReviewOptions {
  apiVersion?: string;
  uid?: string;
  operation?: string;
  kind?: { group: string; version: string; kind: string };
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  dryRun?: boolean;
  namespace?: string;
  name?: string;
  oldObject?: unknown;
}

let uidCounter = 0;

/** A unique request uid, shaped like the API server's. */
export function newUid(): string {
  uidCounter++;
  return `00000000-0000-4000-8000-${String(process.pid).padStart(6, "0")}${String(uidCounter).padStart(6, "0")}`;
}

/** An AdmissionReview for CREATE of `pod`, as the API server sends it (name empty for generateName pods). */
export function podReview(pod: unknown, opts: ReviewOptions = {}): Record<string, unknown> {
  const metadata = (pod as Pod | undefined)?.metadata;
  const name = opts.name ?? metadata?.name ?? "";
  const request: Record<string, unknown> = {
    uid: opts.uid ?? newUid(),
    kind: opts.kind ?? { group: "", version: "v1", kind: "Pod" },
    resource: opts.resource ?? { group: "", version: "v1", resource: "pods" },
    requestKind: opts.kind ?? { group: "", version: "v1", kind: "Pod" },
    requestResource: opts.resource ?? { group: "", version: "v1", resource: "pods" },
    ...(name ? { name } : {}),
    namespace: opts.namespace ?? metadata?.namespace ?? "default",
    operation: opts.operation ?? "CREATE",
    userInfo: { username: "system:serviceaccount:ci:runner", uid: "7d0f9c41-1111-4c2b-9e3a-0a1b2c3d4e5f", groups: ["system:serviceaccounts", "system:authenticated"] },
    object: pod,
    oldObject: opts.oldObject ?? null,
    dryRun: opts.dryRun ?? false,
    options: { apiVersion: "meta.k8s.io/v1", kind: "CreateOptions" },
  };
  if (opts.subResource) request.subResource = opts.subResource;
  return { apiVersion: opts.apiVersion ?? "admission.k8s.io/v1", kind: "AdmissionReview", request };
}

/** The decoded JSON Patch of a reply, or undefined when it carries none. */
export function decodePatch(reply: ReviewReply): { op: string; path: string; value?: unknown }[] | undefined {
  const { patch } = reply.review.response;
  if (patch === undefined) return undefined;
  return JSON.parse(Buffer.from(patch, "base64").toString("utf8")) as { op: string; path: string; value?: unknown }[];
}

/** What came back on a raw connection: the bytes read until it closed (or the wait ran out). */
export interface RawExchange {
  text: string;
  /** HTTP status of the first response in `text`, if any. */
  status?: number;
  /** Whether the server closed the connection before the wait ran out. */
  closed: boolean;
  /** A socket error seen (EPIPE, ECONNRESET...), if any. */
  error?: string;
}

/** A verified TLS socket to the webhook, for writing hand-made HTTP. */
export function openTls(target: TlsTarget, extra: ConnectionOptions = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ ...tlsOptions(target), ...extra }, () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/**
 * Collects everything the server sends on `socket` until it closes, `waitMs` passes, or `until(text)`
 * holds; never throws.
 */
export function collect(socket: TLSSocket, waitMs: number, until?: (text: string) => boolean): Promise<RawExchange> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let settled = false;
    const done = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("utf8");
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ text, closed, ...(match ? { status: Number(match[1]) } : {}), ...(error ? { error } : {}) });
    };
    const timer = setTimeout(() => done(false), waitMs);
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      if (until?.(Buffer.concat(chunks).toString("utf8"))) done(false);
    });
    socket.on("error", (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    socket.on("close", () => done(true));
  });
}

/** Writes raw bytes on a socket, swallowing EPIPE/ECONNRESET (the server may hang up first, on purpose). */
export function writeRaw(socket: TLSSocket, data: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed || !socket.writable) return resolve();
    socket.write(data, () => resolve());
  });
}

/** The body of a raw HTTP/1.1 response (after the blank line), parsed as JSON. */
export function rawJsonBody<T = unknown>(exchange: RawExchange): T {
  const at = exchange.text.indexOf("\r\n\r\n");
  if (at === -1) throw new Error(`no HTTP response in ${JSON.stringify(exchange.text.slice(0, 200))}`);
  return JSON.parse(exchange.text.slice(at + 4)) as T;
}

/** A plain-HTTP GET (or other method) on the ops port. */
export function opsCall(port: number, path: string, method = "GET", body?: string): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, method, agent: false, timeout: 10_000, headers: body ? { "Content-Type": "application/json" } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("client timeout")));
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * The value of one Prometheus sample in a /metrics text, 0 when absent. `labels` must all match; other
 * labels on the sample are ignored.
 */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const open = line.indexOf("{");
    const close = line.lastIndexOf("}");
    const labelText = open === -1 || open > name.length ? "" : line.slice(open + 1, close);
    const have = Object.fromEntries([...labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (!Object.entries(labels).every(([k, v]) => have[k] === v)) continue;
    found = true;
    total += Number(line.slice((close === -1 ? name.length : close + 1)).trim().split(" ")[0]);
  }
  return found ? total : 0;
}

/** A CA and a serving pair signed by it (PEM). */
export interface TestPki {
  caCert: string;
  cert: string;
  key: string;
}

let pkiCounter = 0;

/**
 * A fresh CA with a subject of its own and a serving certificate for `dnsNames` + 127.0.0.1. Distinct
 * subjects matter: OpenSSL (Node's TLS) picks a trust anchor by subject name only when certificates carry
 * no key identifiers, so two CAs with one name in a bundle would break verification for the second.
 */
export async function generateTestPki(dnsNames: string[], label = "test"): Promise<TestPki> {
  const { generate } = await import("selfsigned");
  pkiCounter++;
  const now = Date.now();
  const day = 86_400_000;
  const ca = await generate([{ name: "commonName", value: `ci-pod-webhook ${label} CA ${process.pid}-${pkiCounter}-${now}` }], {
    keyType: "ec", algorithm: "sha256", notBeforeDate: new Date(now - day), notAfterDate: new Date(now + 30 * day),
    extensions: [{ name: "basicConstraints", cA: true, critical: true }, { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true }],
  });
  const serving = await generate([{ name: "commonName", value: dnsNames[0] ?? "localhost" }], {
    keyType: "ec", algorithm: "sha256", notBeforeDate: new Date(now - day), notAfterDate: new Date(now + (10 + pkiCounter) * day),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [...dnsNames.map((value) => ({ type: 2 as const, value })), { type: 7 as const, ip: "127.0.0.1" }] },
    ],
  });
  return { caCert: ca.cert, cert: serving.cert, key: serving.private };
}
