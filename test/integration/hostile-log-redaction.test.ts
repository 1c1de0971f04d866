/**
 * pino redaction, the second line of defence behind "never log a pod, a body or an env value": whatever a
 * caller passes by mistake (at the top of the merging object or one level down, as in `{ req: { body } }`),
 * the secret values in env lists, objects, pods, bodies, tokens, passwords and secrets never reach the
 * line: the operational logger redacts them, the audit log keeps only the AuditRecord fields.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createAuditLog } from "../../src/audit/audit-log.js";
import { createLogger } from "../../src/log.js";
import type { AuditRecord } from "../../src/audit/audit-record.js";
import { LogCapture } from "../support/server-process.js";
import { loadSharedFixture } from "../support/tls-client.js";

const SECRET = "s3cr3t-redaction-probe-9f2c";

/** Every shape of mistake, each holding SECRET somewhere inside. */
function mistakes(): [string, Record<string, unknown>][] {
  const pod = loadSharedFixture("jenkins-agent-dind");
  const env = [{ name: "JENKINS_SECRET", value: SECRET }];
  const nested = (inner: Record<string, unknown>) => ({ container: inner, req: inner, request: inner, ctx: inner });
  return [
    ["env", { env }],
    ["object", { object: { spec: { containers: [{ env }] } } }],
    ["pod", { pod: { ...pod, note: SECRET } }],
    ["body", { body: `{"token":"${SECRET}"}` }],
    ["token", { token: SECRET }],
    ["password", { password: SECRET }],
    ["secret", { secret: SECRET }],
    ["authorization header", { headers: { authorization: `Bearer ${SECRET}` } }],
    ["request.object", { request: { object: { metadata: { annotations: { x: SECRET } } } } }],
    ...(["env", "object", "pod", "body", "token", "password", "secret"] as const).map((key): [string, Record<string, unknown>] => [
      `one level down: *.${key}`,
      nested({ [key]: key === "env" ? env : key === "object" || key === "pod" ? { note: SECRET } : SECRET }),
    ]),
    ["*.env[*].value in a container", { container: { name: "build", env: [{ name: "A", value: SECRET }, { name: "B", value: SECRET }] } }],
  ];
}

describe("pino redaction – second line of defence", () => {
  for (const level of ["info", "error", "debug"] as const) {
    test(`the operational logger at ${level} redacts env, object, pod, body, token, password, secret and authorization`, () => {
      const capture = new LogCapture();
      const logger = createLogger({ level: "trace", destination: capture });
      for (const [what, fields] of mistakes()) logger[level]({ ...fields, what }, "a careless log call");
      logger.flush();
      assert.equal(capture.raw.length, mistakes().length, "one line per call");
      const leaked = capture.raw.filter((line) => line.includes(SECRET) || !line.includes("[redacted]")).map((line) => (JSON.parse(line) as { what: string }).what);
      assert.deepEqual(leaked, [], "mistakes whose secret reached the log line");
    });
  }

  test("the audit log writes none of them (it writes only the AuditRecord fields, an allow-list)", () => {
    const capture = new LogCapture();
    const audit = createAuditLog(capture);
    for (const [what, fields] of mistakes()) audit.write({ uid: what, name: "n", dryRun: false, decision: "skipped", patchOps: 0, warnings: 0, durationMs: 0, ...fields } as AuditRecord);
    audit.flush();
    assert.equal(capture.raw.length, mistakes().length);
    const leaked = capture.raw.filter((line) => line.includes(SECRET)).map((line) => (JSON.parse(line) as { uid: string }).uid);
    assert.deepEqual(leaked, [], "mistakes whose secret reached the audit line");
  });

  test("redaction keeps what operators need: names, codes, uids and error stacks", () => {
    const capture = new LogCapture();
    const logger = createLogger({ destination: capture });
    logger.error({ uid: "u-1", namespace: "ci", code: "INTERNAL_ERROR", err: new TypeError("spec.containers is not iterable"), env: [{ name: "A", value: SECRET }] }, "internal error");
    logger.flush();
    const line = JSON.parse(capture.raw[0] ?? "{}") as Record<string, unknown>;
    assert.equal(line.uid, "u-1");
    assert.equal(line.namespace, "ci");
    assert.equal(line.code, "INTERNAL_ERROR");
    assert.match(String((line.err as { stack?: string }).stack), /TypeError: spec\.containers is not iterable/);
    assert.equal(line.env, "[redacted]");
  });
});
