/**
 * The three servers under test, each pinned to the server core: the webhook (built dist, audit log to a
 * file) and the two baselines (compiled by the bench), all on the webhook's certificate.
 */
import type { ChildProcess } from "node:child_process";
import { request } from "node:https";
import { createServer } from "node:net";
import { join } from "node:path";
import type { ProcessGroup } from "./processes.js";

export type ServerName = "ours" | "raw" | "express";

export interface RunningServer {
  name: ServerName;
  pid: number;
  url: string;
  child: ChildProcess;
  /** Negotiated protocol and cipher seen by the readiness probe. */
  tls: string;
  output(): string;
}

export interface ServerSetup {
  repo: string;
  /** Where the compiled baselines live. */
  buildDir: string;
  certsDir: string;
  auditLog: string;
  /** Core to pin the server to; unpinned when absent. */
  cpu?: number;
  probeBody: Buffer;
  /** Extra node flags for the webhook (e.g. --cpu-prof). */
  oursNodeFlags?: string[];
  /** Extra `serve` flags for the webhook (e.g. --config). */
  oursArgs?: string[];
}

export async function startServer(name: ServerName, setup: ServerSetup, group: ProcessGroup): Promise<RunningServer> {
  const port = await freePort();
  const host = "127.0.0.1";
  const args = name === "ours"
    ? [...(setup.oursNodeFlags ?? []), join(setup.repo, "dist/src/cli/main.js"), "serve", "--port", String(port), "--ops-port", String(await freePort()),
      "--host", host, "--certs-dir", setup.certsDir, "--audit-log", setup.auditLog, "--log-level", "warn", ...(setup.oursArgs ?? [])]
    : [join(setup.buildDir, `test/bench/baselines/${name}-server.js`), "--port", String(port), "--host", host,
      "--cert", join(setup.certsDir, "tls.crt"), "--key", join(setup.certsDir, "tls.key")];
  // No Kubernetes credentials may leak in: the webhook then assumes the CA bundle exists everywhere.
  const env = { PATH: process.env.PATH ?? "", HOME: setup.certsDir, NODE_ENV: "production" };
  const command = setup.cpu === undefined ? [process.execPath, ...args] : ["taskset", "-c", String(setup.cpu), process.execPath, ...args];
  const child = group.start(command[0] as string, command.slice(1), { env, cwd: setup.repo });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const url = `https://${host}:${port}/mutate`;
  const tls = await waitReady(url, setup.probeBody, child, () => output);
  return { name, pid: child.pid as number, url, child, tls, output: () => output };
}

/** Polls POST /mutate until it answers 200 (30 s at most). */
async function waitReady(url: string, body: Buffer, child: ChildProcess, output: () => string): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${output()}`);
    const probe = await post(url, body).catch(() => undefined);
    if (probe?.status === 200) return probe.tls;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server at ${url} not ready after 30 s: ${output()}`);
}

export function post(url: string, body: Buffer): Promise<{ status: number; tls: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", rejectUnauthorized: false, agent: false, headers: { "Content-Type": "application/json", "Content-Length": body.length } }, (res) => {
      const socket = res.socket as import("node:tls").TLSSocket;
      const tls = `${socket.getProtocol?.() ?? "?"} ${socket.getCipher?.().name ?? "?"}`;
      res.resume().on("end", () => resolve({ status: res.statusCode ?? 0, tls }));
    });
    req.setTimeout(5_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject).end(body);
  });
}

/** A port free on 127.0.0.1 right now (the kernel picks it; the server binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
