import { spawn } from "node:child_process";
import { rmSync } from "node:fs";

/** Sends `signal` to the process group `pgid`; returns false if the group no longer exists. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}

/** What to tear down if the test process ends without calling `stop()`. */
export interface CleanupTarget {
  pgids: number[];
  /** Directory to remove, or null to keep it. */
  dir: string | null;
}

const targets = new Set<CleanupTarget>();
const SIGNALS: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
let installed = false;

function cleanupAllSync(): void {
  for (const target of targets) {
    try {
      for (const pgid of target.pgids) killGroup(pgid, "SIGKILL");
      if (target.dir) rmSync(target.dir, { recursive: true, force: true });
    } catch {
      // best effort while exiting
    }
  }
  targets.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupAllSync();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal); // re-raise: default action (or other listeners) apply
}

/**
 * Registers process groups (and a directory) to SIGKILL/remove synchronously when the test
 * process exits or gets SIGINT/SIGTERM/SIGHUP. Returns the function that unregisters them.
 */
export function registerCleanup(target: CleanupTarget): () => void {
  if (!installed) {
    installed = true;
    process.on("exit", cleanupAllSync);
    for (const s of SIGNALS) process.on(s, onSignal);
  }
  targets.add(target);
  return () => targets.delete(target);
}

/**
 * Starts a detached shell that polls the test process once a second and, once it is gone
 * (even SIGKILLed, where no in-process hook runs), SIGKILLs the process groups listed (one
 * per line) in `pgidFile` and removes `dir` unless it is null. Returns a function that stops
 * the watchdog without doing any of that.
 */
export function startWatchdog(pgidFile: string, dir: string | null): () => void {
  const script = [
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done`,
    `for g in $(cat "$1" 2>/dev/null); do kill -KILL "-$g" 2>/dev/null; done`, // dash: no `kill --`
    dir ? `rm -rf "$2"` : ":",
  ].join("; ");
  const child = spawn("sh", ["-c", script, "e2e-watchdog", pgidFile, dir ?? ""], {
    detached: true,
    stdio: "ignore",
  });
  child.unref();
  const pid = child.pid;
  return () => {
    if (pid !== undefined) killGroup(pid, "SIGKILL");
  };
}
