/**
 * The e2e suite runs the webhook from the built project (`dist/`), as it ships. This builds it when any
 * source file is newer than the last build, once even when several test files start at the same time.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../support/paths.js";

const run = promisify(execFile);

/** `dist/src/cli/main.js`: the entry point of `ci-pod-webhook`. */
export const WEBHOOK_MAIN = path.join(REPO_ROOT, "dist", "src", "cli", "main.js");

const LOCK_DIR = path.join(REPO_ROOT, ".cache", "e2e-build.lock");
const LOCK_STALE_MS = 180_000;

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  if (!existsSync(WEBHOOK_MAIN)) return true;
  const built = statSync(WEBHOOK_MAIN).mtimeMs;
  const inputs = [newestSourceMtime(path.join(REPO_ROOT, "src")), ...["tsconfig.json", "tsconfig.build.json", "package.json"].map((f) => statSync(path.join(REPO_ROOT, f)).mtimeMs)];
  return inputs.some((mtime) => mtime > built);
}

/** Takes a directory lock (atomic mkdir); a lock older than LOCK_STALE_MS is taken over. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(path.dirname(LOCK_DIR), { recursive: true });
  const deadline = Date.now() + LOCK_STALE_MS + 30_000;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const lock = statSync(LOCK_DIR, { throwIfNoEntry: false });
      if (lock && Date.now() - lock.mtimeMs > LOCK_STALE_MS) rmSync(LOCK_DIR, { recursive: true, force: true }); // a crashed run's

      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${LOCK_DIR}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

/** Runs `npm run build` unless `dist/` is newer than every file under `src/`; returns the entry point. */
export async function ensureBuilt(): Promise<string> {
  if (!isStale()) return WEBHOOK_MAIN;
  await withLock(async () => {
    if (!isStale()) return; // another test file built it while we waited
    const started = Date.now();
    try {
      await run("npm", ["run", "build"], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`npm run build failed; the e2e suite runs the built webhook:\n${e.stdout ?? ""}${e.stderr ?? e.message}`);
    }
    process.stderr.write(`e2e: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });
  return WEBHOOK_MAIN;
}
