/**
 * Starts the webhook for integration tests: in-process through `startWebhookService` (fast, logs captured
 * in memory) or as the real `ci-pod-webhook serve` process (signals, exit codes, stdout/stderr). Every
 * helper registers its own cleanup on the test context, so a failing test still stops its servers and
 * removes its temp dirs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "../../src/log.js";
import { startWebhookService, type RunningService } from "../../src/server/webhook-service.js";
import type { ServiceOptions } from "../../src/server/service-options.js";
import { appendCapturedLog, appendCapturedLogFile } from "./log-capture.js";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = join(REPO_ROOT, "src/cli/main.ts");

/** Anything with node:test's `after` (a TestContext or the suite's `after` hook wrapper). */
export interface Cleanup {
  after(fn: () => unknown): void;
}

/** Cleanups for a whole suite: register with `after(fn)`, run them (last first) from the suite's `after` hook. */
export class CleanupStack implements Cleanup {
  #fns: (() => unknown)[] = [];
  after(fn: () => unknown): void {
    this.#fns.push(fn);
  }
  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const fn of this.#fns.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, "cleanup failed");
  }
}

/**
 * A LIFO cleanup stack hooked to a test context or suite hook. node:test runs `after` callbacks first-in
 * first-out, which would remove a temp dir before the server writing into it stops; this runs last-in first.
 */
export function cleanupFor(context: Cleanup): CleanupStack {
  const stack = new CleanupStack();
  context.after(() => stack.run());
  return stack;
}

/** A temp dir removed when the test (or suite) ends. */
export function tempDir(cleanup: Cleanup, prefix = "cpw-it-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Config text that keeps tests off any Kubernetes API this machine may know about. */
export const ISOLATED_CONFIG = "caTrust:\n  checkPresence: false\n";

/**
 * Polls `check` until it returns a truthy value, which is returned. Errors thrown by `check` count as
 * "not yet". Throws after `timeoutMs`, naming `what` and the last error or falsy value.
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000, intervalMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${detail})`);
    }
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Parsed JSON log lines, plus the raw text (for substring checks). */
export class LogCapture {
  readonly raw: string[] = [];
  write(chunk: string): void {
    for (const line of chunk.split("\n")) if (line.trim()) this.raw.push(line);
    appendCapturedLog("in-process log", chunk);
  }
  records(): Record<string, unknown>[] {
    return this.raw.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }
  find(pred: (r: Record<string, unknown>) => boolean): Record<string, unknown> | undefined {
    return this.records().find(pred);
  }
}

/** Reads a JSON-lines file (the audit log); missing file: no lines. */
export function readJsonLines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

export interface InProcessServer {
  service: RunningService;
  port: number;
  opsPort: number;
  dir: string;
  auditPath: string;
  configPath: string;
  logs: LogCapture;
  /** The dev CA (when no pair was given). */
  ca: string;
  stop(): Promise<void>;
}

export interface InProcessOptions {
  /** Config file text; ISOLATED_CONFIG by default. */
  config?: string;
  /** Overrides of the service options (ports and paths default to a temp dir and free ports). */
  options?: Partial<ServiceOptions>;
  logLevel?: ServiceOptions["logLevel"];
  /** An existing dir to use instead of a new temp dir. */
  dir?: string;
}

/** `startWebhookService` on loopback, free ports, a temp certs dir, config file and audit file. Stopped after the test. */
export async function startInProcess(cleanup: Cleanup, opts: InProcessOptions = {}): Promise<InProcessServer> {
  const dir = opts.dir ?? tempDir(cleanup);
  const configPath = join(dir, "config.yaml");
  if (opts.config !== undefined || !existsSync(configPath)) writeFileSync(configPath, opts.config ?? ISOLATED_CONFIG);
  const auditPath = join(dir, "audit.log");
  const logs = new LogCapture();
  const logger = createLogger({ level: opts.logLevel ?? "info", destination: logs });
  const options: ServiceOptions = {
    configPath,
    host: "127.0.0.1",
    port: 0,
    opsPort: 0,
    certsDir: join(dir, "certs"),
    logLevel: opts.logLevel ?? "info",
    serviceName: "ci-pod-webhook",
    serviceNamespace: "ci-pod-webhook",
    auditLog: auditPath,
    reloadInterval: 0.1,
    ...opts.options,
  };
  const service = await startWebhookService(options, logger);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await service.shutdown("test over");
    appendCapturedLogFile("in-process audit", options.auditLog);
  };
  cleanup.after(stop);
  const caPath = join(options.certsDir, "ca.crt");
  return { service, port: service.port, opsPort: service.opsPort, dir, auditPath, configPath, logs, ca: existsSync(caPath) ? readFileSync(caPath, "utf8") : "", stop };
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  opsPort: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
}

/** Environment for a child: no Kubernetes credentials, HOME in a temp dir (no ~/.kube/config). */
function childEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...extra };
  for (const key of ["KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT", "NODE_OPTIONS", "NODE_TEST_CONTEXT"]) delete env[key];
  for (const key of Object.keys(env)) if (key.startsWith("CI_POD_WEBHOOK_") && !(key in extra)) delete env[key];
  return env;
}

interface Spawned {
  child: ChildProcess;
  out: string[];
  err: string[];
  exited: Promise<number | string>;
  /** Resolves once the process has exited and its stdout and stderr are closed (all output read). */
  closed: Promise<void>;
}

function spawnCli(args: string[], home: string, env?: NodeJS.ProcessEnv, nodeArgs: string[] = []): Spawned {
  const child = spawn(process.execPath, ["--import", "tsx", ...nodeArgs, MAIN, ...args], { cwd: REPO_ROOT, env: childEnv(home, env), stdio: ["ignore", "pipe", "pipe"] });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout?.setEncoding("utf8").on("data", (s: string) => out.push(s));
  child.stderr?.setEncoding("utf8").on("data", (s: string) => err.push(s));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  return { child, out, err, exited, closed };
}

/** Appends a finished process's stdout, stderr and audit file (`--audit-log` in `args`) to the test log capture. */
async function captureOutput(spawned: Spawned, args: string[]): Promise<void> {
  // "close" follows "exit" once the pipes drain; do not wait forever on a grandchild holding them open.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([spawned.closed, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)).unref())]);
  clearTimeout(timer);
  appendCapturedLog("serve stdout", spawned.out.join(""));
  appendCapturedLog("serve stderr", spawned.err.join(""));
  const audit = args[args.indexOf("--audit-log") + 1];
  if (args.includes("--audit-log") && audit && audit !== "-") appendCapturedLogFile("serve audit", audit);
}

/**
 * Spawns `ci-pod-webhook serve --host 127.0.0.1 --port 0 --ops-port 0 ...args` and waits for the
 * "serving POST /mutate" line. Killed (SIGKILL) after the test if still running.
 */
export async function spawnServer(
  cleanup: Cleanup,
  args: string[],
  opts: { home: string; env?: NodeJS.ProcessEnv; startTimeoutMs?: number; /** Extra node flags, e.g. `--expose-gc`. */ nodeArgs?: string[] },
): Promise<ServerProcess> {
  const spawned = spawnCli(["serve", "--host", "127.0.0.1", "--port", "0", "--ops-port", "0", ...args], opts.home, opts.env, opts.nodeArgs);
  const { child, out, err, exited } = spawned;
  let exitCode: number | string | undefined;
  void exited.then((c) => (exitCode = c));
  cleanup.after(async () => {
    if (exitCode === undefined) {
      child.kill("SIGKILL");
      await exited;
    }
    await captureOutput(spawned, args);
  });
  const serving = await waitFor(() => {
    if (exitCode !== undefined) throw new Error(`server exited with ${exitCode}:\n${out.join("")}${err.join("")}`);
    for (const line of out.join("").split("\n")) {
      if (!line.includes("serving POST /mutate")) continue;
      const record = JSON.parse(line) as { port: number; opsPort: number };
      return record;
    }
    return undefined;
  }, "the server to log 'serving POST /mutate'", opts.startTimeoutMs ?? 20_000).catch((e: Error) => {
    throw new Error(`${e.message}\nstdout:\n${out.join("")}\nstderr:\n${err.join("")}`);
  });
  return { child, port: serving.port, opsPort: serving.opsPort, stdout: () => out.join(""), stderr: () => err.join(""), exited };
}

/** Runs the CLI to completion (for start-up failures); kills it after `timeoutMs`. */
export async function runCli(args: string[], opts: { home: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const spawned = spawnCli(args, opts.home, opts.env);
  const { child, out, err, exited } = spawned;
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
  const code = await exited;
  clearTimeout(timer);
  await captureOutput(spawned, args);
  return { code, stdout: out.join(""), stderr: err.join("") };
}
