/**
 * The webhook as it ships: `node dist/src/cli/main.js serve` in its own process group, stdout and
 * stderr in a log file, torn down by `stop()`, and by the harness's exit hooks and watchdog if the test
 * process dies first.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { appendCapturedLogFile } from "../../support/log-capture.js";
import os from "node:os";
import path from "node:path";
import { registerCleanup, startWatchdog } from "../cluster/cleanup.js";
import { startProcess, tailFile, type ManagedProcess } from "../cluster/process.js";
import { httpGet, waitUntilReady } from "../cluster/readiness.js";
import type { TestCluster } from "../cluster/index.js";
import { REPO_ROOT } from "../../support/paths.js";
import { ensureBuilt } from "./build.js";

export interface WebhookOptions {
  cluster: TestCluster;
  /** `--kubeconfig`; default the cluster's admin kubeconfig. See serviceAccountKubeconfig(). */
  kubeconfigPath?: string;
  /** `--register-webhook NAME`. */
  registerWebhook?: string;
  /** `--port`; default 0 (the webhook picks one). */
  port?: number;
  /** Config file text (`--config`); default none (built-in defaults). */
  configText?: string;
  /** Reuse this certs dir (and its CA) instead of a new one. */
  certsDir?: string;
  /** How long to wait for /readyz. */
  readyTimeoutMs?: number;
}

export interface AuditLine {
  uid: string;
  namespace?: string;
  name: string;
  decision: string;
  dryRun: boolean;
  code?: string;
  reason?: string;
  warnings: number;
  [key: string]: unknown;
}

export interface RunningWebhook {
  port: number;
  opsPort: number;
  dir: string;
  certsDir: string;
  /** PEM of the CA that signed the serving certificate (certs-dir/ca.crt). */
  caPem: string;
  auditPath: string;
  logFile: string;
  process: ManagedProcess;
  /** Parsed lines of the audit log so far. */
  audit(): AuditLine[];
  /** Parsed lines of the operational log so far. */
  logLines(): Record<string, unknown>[];
  /** SIGTERM (the webhook drains), SIGKILL after a grace; removes the temp dir unless kept. Idempotent. */
  stop(): Promise<void>;
}

const SERVING_MSG = "ci-pod-webhook serving POST /mutate";

function jsonLines(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").flatMap((line) => {
    if (!line.trim().startsWith("{")) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return []; // a line still being written
    }
  });
}

/** Environment without anything that would point the webhook at another cluster or change its flags. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("CI_POD_WEBHOOK_") || k === "KUBECONFIG" || k === "KUBERNETES_SERVICE_HOST" || k === "NODE_OPTIONS") continue;
    env[k] = v;
  }
  return env;
}

/** Builds (if stale) and starts the webhook; resolves once /readyz answers 200. */
export async function startWebhook(opts: WebhookOptions): Promise<RunningWebhook> {
  const main = await ensureBuilt();
  const keep = process.env.CI_POD_WEBHOOK_E2E_KEEP === "1";
  const dir = await mkdtemp(path.join(os.tmpdir(), "ci-pod-webhook-e2e-webhook-"));
  const certsDir = opts.certsDir ?? path.join(dir, "certs");
  const auditPath = path.join(dir, "audit.log");
  const logFile = path.join(dir, "webhook.log");
  const args = [
    main, "serve",
    "--port", String(opts.port ?? 0),
    "--ops-port", "0",
    "--host", "127.0.0.1",
    "--certs-dir", certsDir,
    "--kubeconfig", opts.kubeconfigPath ?? opts.cluster.kubeconfigPath,
    "--audit-log", auditPath,
    "--reload-interval", "0.5",
  ];
  if (opts.configText !== undefined) {
    const configPath = path.join(dir, "config.yaml");
    appendFileSync(configPath, opts.configText);
    args.push("--config", configPath);
  }
  if (opts.registerWebhook) args.push("--register-webhook", opts.registerWebhook);

  const pgidFile = path.join(dir, "pgids");
  // Through `env -i`: startProcess passes the test's environment on, and the webhook must not see any
  // CI_POD_WEBHOOK_* (flag defaults) or KUBECONFIG of the machine. `env` execs node: the pid stays.
  const envArgs = Object.entries(cleanEnv()).map(([k, v]) => `${k}=${v ?? ""}`);
  const proc = startProcess("ci-pod-webhook", "env", ["-i", ...envArgs, process.execPath, ...args], logFile, REPO_ROOT);
  appendFileSync(pgidFile, `${proc.pid}\n`);
  const unregister = registerCleanup({ pgids: [proc.pid], dir: keep ? null : dir });
  const stopWatchdog = startWatchdog(pgidFile, keep ? null : dir);
  if (keep) process.stderr.write(`e2e: CI_POD_WEBHOOK_E2E_KEEP=1, keeping the webhook's dir ${dir}\n`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        await proc.stop(15_000);
      } finally {
        stopWatchdog();
        unregister();
        // Every e2e webhook log and audit line joins the suite-wide secrets check (test/check-log-secrets.ts).
        appendCapturedLogFile("e2e webhook log", logFile);
        appendCapturedLogFile("e2e audit", auditPath);
        if (!keep) await rm(dir, { recursive: true, force: true });
      }
    })());

  try {
    const timeoutMs = opts.readyTimeoutMs ?? 60_000;
    let ports: { port: number; opsPort: number } | undefined;
    await waitUntilReady("ci-pod-webhook", proc, timeoutMs, async () => {
      const line = jsonLines(logFile).find((l) => l.msg === SERVING_MSG);
      if (line) ports = { port: Number(line.port), opsPort: Number(line.opsPort) };
      return ports !== undefined;
    });
    const { port, opsPort } = ports!;
    await waitUntilReady("ci-pod-webhook /readyz", proc, timeoutMs, async () => (await httpGet(`http://127.0.0.1:${opsPort}/readyz`)).status === 200);
    const caPem = readFileSync(path.join(certsDir, "ca.crt"), "utf8");
    return {
      port,
      opsPort,
      dir,
      certsDir,
      caPem,
      auditPath,
      logFile,
      process: proc,
      audit: () => jsonLines(auditPath) as AuditLine[],
      logLines: () => jsonLines(logFile),
      stop,
    };
  } catch (err) {
    const log = await tailFile(logFile, 60);
    await stop().catch(() => undefined);
    throw new Error(`${(err as Error).message}\nwebhook log:\n${log}`);
  }
}
