/**
 * Collects every webhook log and audit line the test suites see into one file, so that
 * `test/check-log-secrets.ts` can grep all of them for the fixtures' secret values after the run.
 * Active only when `CI_POD_WEBHOOK_TEST_LOG_CAPTURE` names a file; otherwise every call is a no-op.
 * Test files run in parallel processes: each call appends whole lines in one write (O_APPEND), so lines
 * from different processes never interleave mid-line.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";

export const LOG_CAPTURE_ENV = "CI_POD_WEBHOOK_TEST_LOG_CAPTURE";

/** The capture file, or undefined when capturing is off. */
export function logCapturePath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env[LOG_CAPTURE_ENV];
  return path ? path : undefined;
}

/**
 * Appends each non-empty line of `text` as `<source>\t<line>`. `source` says where the line came from
 * (e.g. `in-process`, `serve stdout`, `e2e audit`); tabs and newlines in it are replaced.
 */
export function appendCapturedLog(source: string, text: string): void {
  const path = logCapturePath();
  if (!path || !text) return;
  const tag = source.replace(/[\t\r\n]/g, " ");
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  if (lines.length === 0) return;
  appendFileSync(path, lines.map((line) => `${tag}\t${line}\n`).join(""));
}

/** Appends the lines of a log file (an audit log, a process log); a missing file adds nothing. */
export function appendCapturedLogFile(source: string, file: string): void {
  if (!logCapturePath() || !existsSync(file)) return;
  appendCapturedLog(source, readFileSync(file, "utf8"));
}
