/**
 * An internal error in the admission core still yields a valid AdmissionReview: admitted unchanged with a
 * warning by default, denied with `onInternalError: deny`; logged with the stack and counted.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import type { Pod } from "../../src/k8s/pod.js";
import { CleanupStack, readJsonLines, startInProcess, waitFor, type InProcessServer } from "../support/server-process.js";
import { loadSharedFixture, metricValue, opsCall, podReview, postReview, type TlsTarget } from "../support/tls-client.js";

describe("POST /mutate over TLS – internal error in the core", () => {
  const cleanup = new CleanupStack();
  let server: InProcessServer;
  let target: TlsTarget;
  before(async () => {
    server = await startInProcess(cleanup);
    target = { port: server.port, ca: server.ca };
  });
  after(() => cleanup.run());

  /**
   * A CI pod whose `volumeMounts` is an object instead of a list makes the first mutator throw (it is not
   * iterable). A real API server would never send this (it decodes the pod into typed structs first), but
   * the webhook reads raw JSON and must survive anything.
   */
  function brokenPod(): Pod {
    const pod = loadSharedFixture("gitlab-attach-dind");
    const build = pod.spec?.containers.find((c) => c.name === "build");
    assert.ok(build);
    (build as unknown as { volumeMounts: unknown }).volumeMounts = { name: "repo", mountPath: "/builds" };
    return pod;
  }

  test("onInternalError: allow (default) – admitted unchanged with a warning, logged with the stack, counted", async () => {
    const review = podReview(brokenPod());
    const uid = (review.request as { uid: string }).uid;
    const reply = await postReview(target, review);
    assert.equal(reply.status, 200);
    const { response } = reply.review;
    assert.equal(response.uid, uid);
    assert.equal(response.allowed, true);
    assert.equal(response.patch, undefined);
    assert.ok(response.warnings?.some((w) => w.includes("INTERNAL_ERROR")), JSON.stringify(response.warnings));
    assert.equal(response.auditAnnotations?.decision, "error");
    const logged = server.logs.find((r) => r.uid === uid && r.level === "error");
    assert.ok(logged, "error log line for the uid");
    assert.match(String((logged.err as { stack?: string }).stack), /TypeError[\s\S]*at /);
    const metrics = (await opsCall(server.opsPort, "/metrics")).text;
    assert.equal(metricValue(metrics, "ci_pod_webhook_admission_requests_total", { decision: "error", code: "INTERNAL_ERROR" }), 1);
    const audit = await waitFor(() => readJsonLines(server.auditPath).find((l) => l.uid === uid), "audit line");
    assert.equal(audit.decision, "error");
    assert.equal(audit.code, "INTERNAL_ERROR");
  });

  test("onInternalError: deny (after a config reload) – denied with status 500 and INTERNAL_ERROR", async () => {
    writeFileSync(server.configPath, "caTrust:\n  checkPresence: false\nonInternalError: deny\n");
    await waitFor(() => server.logs.find((r) => r.msg === "config reloaded"), "the config reload");
    const review = podReview(brokenPod());
    const reply = await postReview(target, review);
    assert.equal(reply.status, 200);
    const { response } = reply.review;
    assert.equal(response.uid, (review.request as { uid: string }).uid);
    assert.equal(response.allowed, false);
    assert.equal(response.status?.code, 500);
    assert.match(response.status?.message ?? "", /INTERNAL_ERROR/);
    // A well-formed pod still gets its patch: the error was the pod's, not the server's.
    const ok = await postReview(target, podReview(loadSharedFixture("gitlab-attach-dind")));
    assert.equal(ok.review.response.patchType, "JSONPatch");
  });
});
