/**
 * POST /mutate over a real TLS connection, verified against the dev CA with the service name as SNI, the
 * way the API server calls the webhook. The six shared CI fixtures go through the whole server.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import jsonpatch from "fast-json-patch";
import type { Container, EnvVar, Pod } from "../../src/k8s/pod.js";
import { CleanupStack, readJsonLines, startInProcess, waitFor, type InProcessServer } from "../support/server-process.js";
import {
  decodePatch, loadSharedFixture, podReview, postReview, type ReviewReply, type SharedFixtureName, type TlsTarget,
} from "../support/tls-client.js";

const CA_VOLUME = "ci-pod-webhook-ca";
const CA_DIR = "/etc/ci-pod-webhook/ca";
const CA_FILE = `${CA_DIR}/ca-certificates.crt`;
const CA_ENV = ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "NODE_EXTRA_CA_CERTS"];
/** The API server prefixes `<webhook name>/`; what we send must be the name part of a qualified name. */
const ANNOTATION_KEY = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function allContainers(pod: Pod): Container[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

function applyReply(original: Pod, reply: ReviewReply): Pod {
  const ops = decodePatch(reply);
  assert.ok(ops, "reply carries a patch");
  return jsonpatch.applyPatch(structuredClone(original), ops as jsonpatch.Operation[], true, false).newDocument;
}

function assertAnnotationKeys(reply: ReviewReply): void {
  const annotations = reply.review.response.auditAnnotations ?? {};
  for (const [key, value] of Object.entries(annotations)) {
    assert.match(key, ANNOTATION_KEY, `auditAnnotations key ${JSON.stringify(key)}`);
    assert.ok(key.length <= 63 && !key.includes("/"), `auditAnnotations key ${key} too long or has a slash`);
    assert.equal(typeof value, "string");
  }
}

/** CA mount in every container and init container, CA env where unset (kept where set), exactly one ndots. */
function assertCiMutations(original: Pod, mutated: Pod): void {
  assert.ok(mutated.spec?.volumes?.some((v) => v.name === CA_VOLUME && v.configMap?.name === "ci-ca-bundle"), "CA volume added");
  const byName = new Map<string, Container>(allContainers(original).map((c) => [c.name, c]));
  for (const container of allContainers(mutated)) {
    const mount = container.volumeMounts?.find((m) => m.name === CA_VOLUME && m.mountPath === CA_DIR);
    assert.ok(mount, `container ${container.name} mounts the CA at ${CA_DIR}`);
    assert.ok(!mount.mountPath.startsWith("/tekton/"), "CA mount must not land under /tekton");
    const old = byName.get(container.name);
    assert.ok(old, `container ${container.name} existed before`);
    for (const name of CA_ENV) {
      const was: EnvVar | undefined = old.env?.find((e) => e.name === name);
      const now = container.env?.filter((e) => e.name === name) ?? [];
      assert.equal(now.length, 1, `${container.name}: exactly one ${name}`);
      assert.deepEqual(now[0], was ?? { name, value: CA_FILE }, `${container.name}: ${name}`);
    }
    for (const field of ["image", "command", "args", "stdin", "workingDir", "restartPolicy"] as const) {
      assert.deepEqual(container[field], old[field], `${container.name}.${field} unchanged`);
    }
  }
  const ndots = mutated.spec?.dnsConfig?.options?.filter((o) => o.name === "ndots") ?? [];
  assert.deepEqual(ndots, [{ name: "ndots", value: "2" }]);
}

function dockerAliases(pod: Pod): { ip: string; hostnames?: string[] }[] {
  return (pod.spec?.hostAliases ?? []).filter((a) => a.hostnames?.includes("docker"));
}

describe("POST /mutate over TLS – AdmissionReview contract", () => {
  const cleanup = new CleanupStack();
  let server: InProcessServer;
  let target: TlsTarget;
  before(async () => {
    server = await startInProcess(cleanup);
    target = { port: server.port, ca: server.ca };
  });
  after(() => cleanup.run());

  test("gitlab-attach-dind (v1) – patched: CA in every container incl. init-permissions and svc-0, ndots, no second docker alias", async () => {
    const pod = loadSharedFixture("gitlab-attach-dind");
    const review = podReview(pod);
    const reply = await postReview(target, review);
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers["content-type"]), /^application\/json/);
    assert.equal(reply.review.apiVersion, "admission.k8s.io/v1");
    assert.equal(reply.review.kind, "AdmissionReview");
    assert.equal(reply.review.response.uid, (review.request as { uid: string }).uid);
    assert.equal(reply.review.response.allowed, true);
    assert.equal(reply.review.response.patchType, "JSONPatch");
    const mutated = applyReply(pod, reply);
    assertCiMutations(pod, mutated);
    assert.deepEqual(allContainers(mutated).map((c) => c.name), ["init-permissions", "build", "helper", "svc-0"]);
    assert.deepEqual(mutated.spec?.hostAliases, pod.spec?.hostAliases, "the runner's docker alias is the only one");
    assert.equal(dockerAliases(mutated).length, 1);
    const build = allContainers(mutated).find((c) => c.name === "build");
    const buildBefore = allContainers(pod).find((c) => c.name === "build");
    for (const path of ["/scripts-4242-987654", "/logs-4242-987654", "/builds"]) {
      assert.deepEqual(build?.volumeMounts?.find((m) => m.mountPath === path), buildBefore?.volumeMounts?.find((m) => m.mountPath === path));
    }
    assert.equal(mutated.metadata?.annotations?.["ci-pod-webhook.io/mutated"] !== undefined, true);
    assertAnnotationKeys(reply);
    assert.equal(reply.review.response.auditAnnotations?.decision, "mutated");
    assert.equal(reply.review.response.auditAnnotations?.["ci-system"], "gitlab");
  });

  const others: [SharedFixtureName, string, number][] = [
    ["jenkins-agent-dind", "jenkins", 1],
    ["arc-ephemeral-runner-dind", "arc", 1],
    ["tekton-taskrun-dind", "tekton", 1],
  ];
  for (const [name, system, aliases] of others) {
    test(`${name} (v1) – patched: CA in every container and init container, ndots, docker alias`, async () => {
      const pod = loadSharedFixture(name);
      const review = podReview(pod);
      const reply = await postReview(target, review);
      assert.equal(reply.status, 200);
      assert.equal(reply.review.response.uid, (review.request as { uid: string }).uid);
      assert.equal(reply.review.response.allowed, true);
      assert.equal(reply.review.response.patchType, "JSONPatch");
      const mutated = applyReply(pod, reply);
      assertCiMutations(pod, mutated);
      assert.deepEqual(dockerAliases(mutated), [{ ip: "127.0.0.1", hostnames: ["docker"] }].slice(0, aliases));
      assert.equal(reply.review.response.auditAnnotations?.["ci-system"], system);
      assertAnnotationKeys(reply);
    });
  }

  test("arc – the native dind sidecar gets the CA; DOCKER_HOST, restartPolicy and probes untouched", async () => {
    const pod = loadSharedFixture("arc-ephemeral-runner-dind");
    const mutated = applyReply(pod, await postReview(target, podReview(pod)));
    const dind = mutated.spec?.initContainers?.find((c) => c.name === "dind");
    const dindBefore = pod.spec?.initContainers?.find((c) => c.name === "dind");
    assert.ok(dind?.volumeMounts?.some((m) => m.name === CA_VOLUME));
    assert.equal(dind?.restartPolicy, "Always");
    assert.deepEqual(dind?.startupProbe, dindBefore?.startupProbe);
    const runner = mutated.spec?.containers.find((c) => c.name === "runner");
    const runnerBefore = pod.spec?.containers.find((c) => c.name === "runner");
    assert.deepEqual(runner?.env?.find((e) => e.name === "DOCKER_HOST"), runnerBefore?.env?.find((e) => e.name === "DOCKER_HOST"));
  });

  test("v1beta1 review – answered as admission.k8s.io/v1beta1 with the same patch as v1", async () => {
    const pod = loadSharedFixture("jenkins-agent-dind");
    const v1beta1 = podReview(pod, { apiVersion: "admission.k8s.io/v1beta1" });
    const beta = await postReview(target, v1beta1);
    const v1 = await postReview(target, podReview(pod));
    assert.equal(beta.status, 200);
    assert.equal(beta.review.apiVersion, "admission.k8s.io/v1beta1");
    assert.equal(beta.review.kind, "AdmissionReview");
    assert.equal(beta.review.response.uid, (v1beta1.request as { uid: string }).uid);
    assert.equal(beta.review.response.patchType, "JSONPatch");
    assert.deepEqual(decodePatch(beta), decodePatch(v1));
  });

  test("v1beta1 denial – answered in v1beta1 too", async () => {
    const reply = await postReview(target, podReview(loadSharedFixture("gitlab-builds-dir-dev"), { apiVersion: "admission.k8s.io/v1beta1" }));
    assert.equal(reply.review.apiVersion, "admission.k8s.io/v1beta1");
    assert.equal(reply.review.response.allowed, false);
  });

  test("plain-nginx – allowed with no patch and no patchType", async () => {
    const review = podReview(loadSharedFixture("plain-nginx"));
    const reply = await postReview(target, review);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.review.response, { uid: (review.request as { uid: string }).uid, allowed: true });
  });

  test("re-sending the patched pod (reinvocation) – allowed with no patch", async () => {
    const pod = loadSharedFixture("tekton-taskrun-dind");
    const mutated = applyReply(pod, await postReview(target, podReview(pod)));
    const again = await postReview(target, podReview(mutated));
    assert.equal(again.review.response.allowed, true);
    assert.equal(again.review.response.patch, undefined);
    assert.equal(again.review.response.patchType, undefined);
  });

  test("gitlab-builds-dir-dev – denied 403 naming the code, init-permissions, repo and /dev; no patch", async () => {
    const review = podReview(loadSharedFixture("gitlab-builds-dir-dev"));
    assert.equal((review.request as { name?: string }).name, undefined, "generateName pod: no name in the request");
    const reply = await postReview(target, review);
    assert.equal(reply.status, 200);
    const { response } = reply.review;
    assert.equal(response.uid, (review.request as { uid: string }).uid);
    assert.equal(response.allowed, false);
    assert.equal(response.status?.code, 403);
    const message = response.status?.message ?? "";
    for (const part of ["BUILDS_DIR_SYSTEM_PATH", "init-permissions", "repo", "/dev", "builds_dir"]) assert.ok(message.includes(part), `message names ${part}: ${message}`);
    assert.equal(response.patch, undefined);
    assert.equal(response.patchType, undefined);
    assert.equal(response.auditAnnotations?.code, "BUILDS_DIR_SYSTEM_PATH");
    assertAnnotationKeys(reply);
  });

  test("conflicts – warnings returned: CA dir taken by another volume, docker mapped elsewhere", async () => {
    const pod = loadSharedFixture("jenkins-agent-dind");
    const jnlp = pod.spec?.containers.find((c) => c.name === "jnlp");
    assert.ok(jnlp && pod.spec);
    jnlp.volumeMounts = [...(jnlp.volumeMounts ?? []), { name: "workspace-volume", mountPath: "/etc/ci-pod-webhook" }];
    pod.spec.hostAliases = [{ ip: "10.1.2.3", hostnames: ["docker"] }];
    const reply = await postReview(target, podReview(pod));
    assert.equal(reply.review.response.allowed, true);
    const warnings = reply.review.response.warnings ?? [];
    assert.ok(warnings.some((w) => w.includes("jnlp") && w.includes("workspace-volume")), `CA conflict warning in ${JSON.stringify(warnings)}`);
    assert.ok(warnings.some((w) => w.includes("10.1.2.3")), `alias conflict warning in ${JSON.stringify(warnings)}`);
    const mutated = applyReply(pod, reply);
    assert.deepEqual(mutated.spec?.hostAliases, [{ ip: "10.1.2.3", hostnames: ["docker"] }], "the pod's own mapping wins");
    assert.equal(mutated.spec?.containers.find((c) => c.name === "jnlp")?.env?.some((e) => e.name === "SSL_CERT_FILE"), false);
  });

  test("every fixture – auditAnnotations keys are valid qualified-name parts", async () => {
    for (const name of ["gitlab-attach-dind", "gitlab-builds-dir-dev", "jenkins-agent-dind", "arc-ephemeral-runner-dind", "tekton-taskrun-dind", "plain-nginx"] as const) {
      assertAnnotationKeys(await postReview(target, podReview(loadSharedFixture(name))));
    }
  });

  const untouched: [string, Parameters<typeof podReview>[1], () => unknown][] = [
    ["a ConfigMap CREATE", { kind: { group: "", version: "v1", kind: "ConfigMap" }, resource: { group: "", version: "v1", resource: "configmaps" } },
      () => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "gitlab-ci" }, data: { a: "b" } })],
    ["a Deployment CREATE", { kind: { group: "apps", version: "v1", kind: "Deployment" }, resource: { group: "apps", version: "v1", resource: "deployments" } },
      () => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { template: loadSharedFixture("gitlab-attach-dind") } })],
    ["an UPDATE of a CI pod", { operation: "UPDATE" }, () => loadSharedFixture("gitlab-attach-dind")],
    ["a pods/ephemeralcontainers UPDATE", { operation: "UPDATE", subResource: "ephemeralcontainers" }, () => loadSharedFixture("jenkins-agent-dind")],
    ["a pods/binding CREATE", { subResource: "binding", kind: { group: "", version: "v1", kind: "Binding" } },
      () => ({ apiVersion: "v1", kind: "Binding", metadata: { name: "p" }, target: { kind: "Node", name: "n1" } })],
    ["a DELETE of a CI pod (no object)", { operation: "DELETE" }, () => null],
  ];
  for (const [what, opts, object] of untouched) {
    test(`${what} – admitted unchanged`, async () => {
      const review = podReview(object(), opts);
      const reply = await postReview(target, review);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.review.response, { uid: (review.request as { uid: string }).uid, allowed: true });
    });
  }

  test("dryRun: true – same reply as a real request; the audit line says dryRun true", async () => {
    const pod = loadSharedFixture("gitlab-attach-dind");
    const dry = podReview(pod, { dryRun: true });
    const wet = podReview(pod);
    const [dryReply, wetReply] = [await postReview(target, dry), await postReview(target, wet)];
    assert.deepEqual({ ...dryReply.review.response, uid: "" }, { ...wetReply.review.response, uid: "" });
    const dryUid = (dry.request as { uid: string }).uid;
    const wetUid = (wet.request as { uid: string }).uid;
    const lines = await waitFor(() => {
      const all = readJsonLines(server.auditPath);
      const d = all.find((l) => l.uid === dryUid);
      const w = all.find((l) => l.uid === wetUid);
      return d && w ? { d, w } : undefined;
    }, "both audit lines");
    assert.equal(lines.d.dryRun, true);
    assert.equal(lines.w.dryRun, false);
    assert.equal(lines.d.decision, "mutated");
  });
});
