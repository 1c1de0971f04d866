/**
 * A real `serve` process under observation: spawned with the memory probe, its config, certificate and
 * audit files in a temp dir, a pooled HTTPS agent that trusts its CA, and accessors for everything it
 * logged. Used by the hostile-input suites and the soak.
 */
import { Agent } from "node:https";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnServer, tempDir, type Cleanup, type ServerProcess } from "../../support/server-process.js";
import { loadSharedFixture, podReview, postReview, SERVICE_NAME, type TlsTarget } from "../../support/tls-client.js";
import type { LogSource } from "./log-scan.js";
import { MEMORY_PROBE_NODE_ARGS, probeMemory, type MemorySample } from "./memory.js";
import { checkReview } from "./review-check.js";

export interface ObservedOptions {
  /** Config file text (default: isolated from any Kubernetes API). */
  config?: string;
  /** A directory to keep the files in (default: a new temp dir). */
  dir?: string;
  /** Cert and key files; default: dev certificates generated under `<dir>/certs`. */
  tls?: { cert: string; key: string; ca: string | string[] };
  reloadIntervalSeconds?: number;
  logLevel?: string;
  /** Start with the memory probe (`--expose-gc`); default true. */
  memoryProbe?: boolean;
  /** Label for the audit and log files when several processes share a dir. */
  name?: string;
}

export interface ObservedServer {
  process: ServerProcess;
  target: TlsTarget;
  /** Pooled keep-alive connections, as the API server keeps them. Destroyed on cleanup. */
  agent: Agent;
  dir: string;
  configPath: string;
  auditPath: string;
  /** stdout, stderr (without memory probe lines) and the audit file, as written so far. */
  logs(): LogSource[];
  memory(): Promise<MemorySample>;
}

export const ISOLATED = "caTrust:\n  checkPresence: false\n";

export async function startObserved(cleanup: Cleanup, opts: ObservedOptions = {}): Promise<ObservedServer> {
  const dir = opts.dir ?? tempDir(cleanup, "cpw-observed-");
  const name = opts.name ?? "webhook";
  const configPath = join(dir, `${name}-config.yaml`);
  if (opts.config !== undefined || !opts.dir) writeFileSync(configPath, opts.config ?? ISOLATED);
  const auditPath = join(dir, `${name}-audit.log`);
  const certArgs = opts.tls ? ["--tls-cert", opts.tls.cert, "--tls-key", opts.tls.key] : ["--certs-dir", join(dir, "certs")];
  const args = [
    "--config", configPath, ...certArgs, "--audit-log", auditPath,
    "--reload-interval", String(opts.reloadIntervalSeconds ?? 60), "--log-level", opts.logLevel ?? "info",
  ];
  const server = await spawnServer(cleanup, args, { home: dir, nodeArgs: opts.memoryProbe === false ? [] : MEMORY_PROBE_NODE_ARGS });
  const ca = opts.tls ? opts.tls.ca : readFileSync(join(dir, "certs", "ca.crt"), "utf8");
  const target: TlsTarget = { port: server.port, ca };
  // A client-side idle timeout below the server's keepAliveTimeout, as well-behaved clients have.
  const agent = new Agent({ keepAlive: true, maxSockets: 16, timeout: 5_000, ca, servername: SERVICE_NAME });
  cleanup.after(() => agent.destroy());
  return {
    process: server,
    target,
    agent,
    dir,
    configPath,
    auditPath,
    logs: () => [
      { name: `${name} stdout`, text: server.stdout() },
      { name: `${name} stderr`, text: server.stderr().split("\n").filter((l) => !l.startsWith('{"memoryProbe"')).join("\n") },
      { name: `${name} audit`, text: readIfPresent(auditPath) },
    ],
    memory: () => probeMemory(server),
  };
}

function readIfPresent(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** Problems with a valid review of a real CI pod on a brand-new connection (empty when it was served right). */
export async function stillServing(target: TlsTarget): Promise<string[]> {
  const pod = loadSharedFixture("jenkins-agent-dind");
  const body = podReview(pod);
  try {
    const reply = await postReview(target, body);
    const checked = checkReview(reply.status, JSON.stringify(reply.review), { body, applyTo: pod });
    if (reply.status !== 200 || checked.patch === undefined) checked.problems.push(`a valid CI pod was not patched (HTTP ${reply.status})`);
    return checked.problems;
  } catch (err) {
    return [`a valid review failed: ${(err as Error).message}`];
  }
}
