import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { killGroup } from "./cleanup.js";

/** How a process ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process that leads its own process group and logs to a file. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Settles when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** Non-null once the process has exited. */
  exitInfo(): ExitInfo | null;
  /** SIGTERM the process group, SIGKILL it after `graceMs`; resolves once the leader exited. */
  stop(graceMs?: number): Promise<void>;
}

/** True while a process with this pid exists (zombies included). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Spawns `bin args` detached (new process group, so the whole group can be signalled) with
 * stdout and stderr appended to `logFile`. The child is unref'ed: it never keeps the test
 * process alive; the exit hooks in `cleanup.ts` kill it if nobody calls `stop()`.
 */
export function startProcess(name: string, bin: string, args: string[], logFile: string, cwd: string): ManagedProcess {
  const fd = openSync(logFile, "a");
  let child;
  try {
    child = spawn(bin, args, { cwd, detached: true, stdio: ["ignore", fd, fd] });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`failed to spawn ${name} (${bin})`);
  child.unref();

  let info: ExitInfo | null = null;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => resolve((info = { code, signal })));
    child.once("error", () => resolve((info = { code: null, signal: null })));
  });

  // The timer is deliberately ref'ed: it keeps the event loop alive until the exit is seen.
  const waitExit = async (ms: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
    try {
      return await Promise.race([exited.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    name,
    pid,
    logFile,
    exited,
    exitInfo: () => info,
    async stop(graceMs = 10_000) {
      if (info === null) {
        killGroup(pid, "SIGTERM");
        if (!(await waitExit(graceMs))) killGroup(pid, "SIGKILL");
        if (!(await waitExit(5_000))) throw new Error(`${name} (pid ${pid}) did not exit after SIGKILL`);
      }
      killGroup(pid, "SIGKILL"); // leftovers in the group, if any
    },
  };
}

/** Last `lines` lines of a log file ("" when unreadable). */
export async function tailFile(file: string, lines = 40): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
