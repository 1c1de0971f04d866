/**
 * The log capture behind test/check-log-secrets.ts: every server log line of every suite is appended to
 * the file named by CI_POD_WEBHOOK_TEST_LOG_CAPTURE, and the check fails on a fixture secret in it (naming
 * the env var, never its value), on an empty file and on a missing one.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkCapturedLogs, fixtureSecrets } from "../check-log-secrets.js";
import { appendCapturedLog, LOG_CAPTURE_ENV } from "../support/log-capture.js";
import { cleanupFor, REPO_ROOT, tempDir } from "../support/server-process.js";

const CLEAN = 'in-process log\t{"level":"info","msg":"ci-pod-webhook serving POST /mutate"}\nserve audit\t{"uid":"u","decision":"mutated"}\n';

function runCheck(path: string): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env[LOG_CAPTURE_ENV];
  const result = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "test/check-log-secrets.ts"), path], { cwd: REPO_ROOT, env, encoding: "utf8", timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("log capture and the secrets check", () => {
  const secrets = fixtureSecrets();
  const jenkins = secrets.find((s) => s.name === "JENKINS_SECRET");

  test("the fixtures hold secrets to look for, public metadata and plain words excluded", () => {
    assert.ok(secrets.length >= 30, `${secrets.length}`);
    assert.ok(jenkins);
    assert.ok(!secrets.some((s) => s.name === "CI_JOB_URL"), "the job URL is public (the audit line carries it)");
    assert.ok(!secrets.some((s) => s.value === "internal"));
  });

  test("checkCapturedLogs: clean passes; a leak, an empty capture and no capture fail", () => {
    assert.equal(checkCapturedLogs(CLEAN).ok, true);
    assert.equal(checkCapturedLogs(undefined).ok, false);
    assert.equal(checkCapturedLogs("").ok, false);
    const leak = checkCapturedLogs(`${CLEAN}serve stdout\t{"msg":"oops","v":"${jenkins?.value}"}\n`);
    assert.equal(leak.ok, false);
    assert.deepEqual(leak.problems, ["fixture jenkins-agent-dind: the value of env JENKINS_SECRET appears in 1 log line(s), first in serve stdout, capture line 3"]);
  });

  test("the script: exit 0 on a clean capture, 1 on a leak (naming the env var, not the value), an empty file or a missing one", (t) => {
    const dir = tempDir(cleanupFor(t));
    const clean = join(dir, "clean.log");
    const leaked = join(dir, "leaked.log");
    const empty = join(dir, "empty.log");
    writeFileSync(clean, CLEAN);
    writeFileSync(leaked, `${CLEAN}e2e audit\tJENKINS_SECRET=${jenkins?.value}\n`);
    writeFileSync(empty, "");
    const ok = runCheck(clean);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /2 captured log lines/);
    const bad = runCheck(leaked);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /jenkins-agent-dind: the value of env JENKINS_SECRET/);
    assert.ok(!(bad.stdout + bad.stderr).includes(jenkins?.value ?? "?"), "the report never prints the value");
    assert.equal(runCheck(empty).status, 1);
    assert.equal(runCheck(join(dir, "missing.log")).status, 1);
  });

  test("appendCapturedLog writes `<source>\\t<line>` per line when the env var is set, nothing when not", (t) => {
    const dir = tempDir(cleanupFor(t));
    const file = join(dir, "capture.log");
    writeFileSync(file, "");
    const saved = process.env[LOG_CAPTURE_ENV];
    try {
      delete process.env[LOG_CAPTURE_ENV];
      appendCapturedLog("off", "not captured\n");
      process.env[LOG_CAPTURE_ENV] = file;
      appendCapturedLog("serve\tstdout", '{"a":1}\n\n{"b":2}\n');
    } finally {
      if (saved === undefined) delete process.env[LOG_CAPTURE_ENV];
      else process.env[LOG_CAPTURE_ENV] = saved;
    }
    assert.equal(readFileSync(file, "utf8"), 'serve stdout\t{"a":1}\nserve stdout\t{"b":2}\n');
  });
});
