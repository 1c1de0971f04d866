/**
 * Logs never carry secrets: the six CI fixtures (and a few bad requests built from them) go through the
 * real `serve` process at trace, debug and info; no env value of any fixture may appear on stdout, stderr
 * or in the audit file. The audit file holds exactly one line per admission with the job's identifiers.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Pod } from "../../src/k8s/pod.js";
import { cleanupFor, readJsonLines, spawnServer, tempDir, waitFor } from "../support/server-process.js";
import {
  httpsCall, loadSharedFixture, podReview, postReview, SHARED_FIXTURE_NAMES, type SharedFixtureName, type TlsTarget,
} from "../support/tls-client.js";

/** Public strings of a pod: what the audit line is meant to carry (name, namespace, label and annotation values). */
function publicMetadata(pod: Pod): string[] {
  const m = pod.metadata ?? {};
  return [m.name, m.generateName, m.namespace, ...Object.values(m.labels ?? {}), ...Object.values(m.annotations ?? {})].filter((s): s is string => !!s);
}

/**
 * Every env value of length >= 8 of every container and init container. Values that are also public
 * metadata of the same pod (GitLab's CI_JOB_URL equals the job URL annotation the audit line must carry;
 * Jenkins' JENKINS_NAME is the pod name) are left out: they are not secrets and are logged on purpose.
 */
function secretValues(pod: Pod): { name: string; value: string }[] {
  const metadata = publicMetadata(pod);
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return containers
    .flatMap((c) => c.env ?? [])
    .filter((e): e is { name: string; value: string } => typeof e.value === "string" && e.value.length >= 8)
    .filter((e) => !metadata.some((m) => m.includes(e.value)));
}

/**
 * Env values that are ordinary words the webhook's own messages use ("internal error while admitting a
 * pod"): GitLab's CI_PROJECT_VISIBILITY=internal. Only lowercase words can be listed here.
 */
const COMMON_WORDS = ["internal"];

const ALL_SECRETS = SHARED_FIXTURE_NAMES.flatMap((name) => secretValues(loadSharedFixture(name))).filter((e) => !COMMON_WORDS.includes(e.value));
const JENKINS_SECRET = loadSharedFixture("jenkins-agent-dind").spec?.containers.flatMap((c) => c.env ?? []).find((e) => e.name === "JENKINS_SECRET")?.value ?? "";

/** What each fixture's audit line must say. */
const EXPECTED: Record<SharedFixtureName, { name: string; decision: string; ciSystem?: string; ci?: Record<string, string> }> = {
  "gitlab-attach-dind": {
    name: "runner-t3xq9zk2a-project-4242-concurrent-0-k3m9x2qp", decision: "mutated", ciSystem: "gitlab",
    ci: { projectId: "4242", jobId: "987654", jobUrl: "https://gitlab.example.com/platform/tooling/image-builder/-/jobs/987654" },
  },
  "gitlab-builds-dir-dev": {
    name: "runner-zx8wq3ab-project-77-concurrent-1*", decision: "denied", ciSystem: "gitlab",
    ci: { jobId: "555001", jobUrl: "https://gitlab.example.com/dev/api/-/jobs/555001" },
  },
  "jenkins-agent-dind": { name: "platform-image-builder-main-57-r8k2v-4vbbd-h2n7q", decision: "mutated", ciSystem: "jenkins", ci: { label: "platform_image-builder_main_57-r8k2v" } },
  "arc-ephemeral-runner-dind": { name: "arc-runner-set-7xkqp-runner-c8t4m", decision: "mutated", ciSystem: "arc", ci: { scaleSet: "arc-runner-set" } },
  "tekton-taskrun-dind": { name: "build-and-push-7h2kq-build-image-pod", decision: "mutated", ciSystem: "tekton", ci: { taskRun: "build-and-push-7h2kq-build-image" } },
  "plain-nginx": { name: "web-7c5b8d9f6d-*", decision: "skipped" },
};

describe("logs never carry secrets", () => {
  test("the fixtures hold secrets to look for", () => {
    for (const word of COMMON_WORDS) assert.match(word, /^[a-z]+$/, "only plain words are exempt");
    assert.match(JENKINS_SECRET, /^[0-9a-f]{64}$/);
    assert.ok(ALL_SECRETS.some((s) => s.value === JENKINS_SECRET));
    assert.ok(ALL_SECRETS.length >= 30, `${ALL_SECRETS.length} values`);
  });

  for (const level of ["trace", "debug", "info"] as const) {
    test(`--log-level ${level}: no env value in stdout, stderr or the audit file; one audit line per admission`, async (t) => {
      const cleanup = cleanupFor(t);
      const home = tempDir(cleanup);
      const config = join(home, "config.yaml");
      writeFileSync(config, "caTrust:\n  checkPresence: false\n");
      const auditPath = join(home, "audit.log");
      const server = await spawnServer(cleanup, ["--config", config, "--certs-dir", join(home, "certs"), "--audit-log", auditPath, "--log-level", level], { home });
      const target: TlsTarget = { port: server.port, ca: readFileSync(join(home, "certs", "ca.crt")) };

      const uids = new Map<string, SharedFixtureName>();
      for (const name of SHARED_FIXTURE_NAMES) {
        for (const dryRun of [false, true]) {
          const review = podReview(loadSharedFixture(name), { dryRun });
          const reply = await postReview(target, review);
          assert.equal(reply.status, 200);
          uids.set((review.request as { uid: string }).uid, name);
        }
      }
      // Paths that log errors: an internal error, and bad requests whose bodies hold the secrets.
      const jenkins = loadSharedFixture("jenkins-agent-dind");
      const broken = structuredClone(jenkins);
      (broken.spec?.containers[0] as unknown as { volumeMounts: unknown }).volumeMounts = { mountPath: "/x" };
      const brokenReview = podReview(broken);
      assert.equal((await postReview(target, brokenReview)).review.response.warnings?.length, 1);
      uids.set((brokenReview.request as { uid: string }).uid, "jenkins-agent-dind");
      const whole = JSON.stringify(podReview(jenkins));
      await postReview(target, whole.slice(0, whole.indexOf(JENKINS_SECRET) + 40)); // malformed JSON around the secret
      await postReview(target, { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: "bad-object", operation: "CREATE", object: JSON.stringify(jenkins) } });
      await httpsCall(target, { body: whole, headers: { "Content-Type": "text/plain" } });

      const audit = await waitFor(() => {
        const lines = readJsonLines(auditPath);
        return lines.length >= uids.size ? lines : undefined;
      }, "all audit lines");
      server.child.kill("SIGTERM");
      assert.equal(await server.exited, 0);

      const outputs = { stdout: server.stdout(), stderr: server.stderr(), audit: readFileSync(auditPath, "utf8") };
      assert.ok(outputs.stdout.length > 0);
      for (const [where, text] of Object.entries(outputs)) {
        for (const { name, value } of ALL_SECRETS) assert.ok(!text.includes(value), `${where} at ${level} contains the value of ${name}`);
      }
      assert.doesNotMatch(outputs.stdout, /"log":"audit"/, "audit lines go to the audit file only");
      assert.doesNotMatch(outputs.stdout + outputs.stderr, /"level":"fatal"/);

      assert.equal(audit.length, uids.size, "exactly one audit line per admission (bad requests are not admissions)");
      for (const [uid, fixture] of uids) {
        const lines = audit.filter((l) => l.uid === uid);
        assert.equal(lines.length, 1, `one audit line for ${fixture} ${uid}`);
        const line = lines[0] as Record<string, unknown>;
        const want = EXPECTED[fixture];
        const pod = loadSharedFixture(fixture);
        assert.equal(line.namespace, pod.metadata?.namespace);
        assert.equal(line.name, want.name);
        assert.equal(line.operation, "CREATE");
        assert.equal(line.user, "system:serviceaccount:ci:runner");
        assert.equal(typeof line.durationMs, "number");
        if (uid === (brokenReview.request as { uid: string }).uid) {
          assert.equal(line.decision, "error");
          continue;
        }
        assert.equal(line.decision, want.decision, fixture);
        assert.equal(line.ciSystem, want.ciSystem);
        if (want.ci) for (const [k, v] of Object.entries(want.ci)) assert.equal((line.ci as Record<string, string>)[k], v, `${fixture} ci.${k}`);
        if (want.decision === "denied") assert.equal(line.code, "BUILDS_DIR_SYSTEM_PATH");
        if (want.decision === "mutated") {
          assert.ok((line.patchOps as number) > 0);
          const mutators = line.mutators as { name: string; changes: string[] }[];
          assert.ok(mutators.some((m) => m.name === "ca-trust" && m.changes.length > 0));
        }
        if (want.decision === "skipped") assert.match(String(line.reason), /not a CI pod/);
      }
      const dry = audit.filter((l) => l.dryRun === true);
      assert.equal(dry.length, SHARED_FIXTURE_NAMES.length, "the dry-run admissions are marked");
    });
  }
});
