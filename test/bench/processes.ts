/**
 * Every process the bench starts, so that all of them end with it: on normal exit, on an error, and on
 * Ctrl-C / SIGTERM. Children are killed by pid only.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class ProcessGroup {
  readonly #children = new Set<ChildProcess>();

  constructor() {
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`\nbench: ${signal}: stopping ${this.#children.size} child process(es)\n`);
      this.killAll();
      process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    process.once("exit", () => this.killAll());
  }

  /** Starts a long-running child; stdout/stderr are piped and kept by the caller. */
  start(command: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
    this.#children.add(child);
    child.once("exit", () => this.#children.delete(child));
    return child;
  }

  /** Runs a child to completion (bounded by `timeoutMs`) and collects its output. */
  run(command: string, args: string[], opts: SpawnOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
    const child = this.start(command, args, opts);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 600_000);
    return new Promise((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  async stop(child: ChildProcess, graceMs = 10_000): Promise<number | null> {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  killAll(): void {
    for (const child of this.#children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}
