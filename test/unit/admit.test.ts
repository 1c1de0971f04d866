/** admit(): which requests it acts on, skip reasons, audit mode and the ci-pod-webhook.io/mutated record. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { admit } from "../../src/admission/admit.js";
import type { Pod } from "../../src/k8s/pod.js";
import { MUTATED_ANNOTATION } from "../../src/mutators/mutated-annotation.js";
import { admitPod, describe as describeDecision, expectMutated } from "../support/admit.js";
import { configWith } from "../support/config.js";
import { loadFixture } from "../support/fixtures.js";
import { assertSchemaValid } from "../support/pod-checks.js";
import { dindContainer, container, gitlabPod } from "../support/pods.js";
import { podCreateRequest } from "../support/requests.js";

const config = configWith({});

describe("admit – only pod CREATE", () => {
  const pod = loadFixture("gitlab-attach-dind");
  const rows: [name: string, overrides: Parameters<typeof podCreateRequest>[1]][] = [
    ["UPDATE", { operation: "UPDATE" }],
    ["DELETE", { operation: "DELETE" }],
    ["CONNECT", { operation: "CONNECT" }],
    ["a Deployment", { resource: { group: "apps", version: "v1", resource: "deployments" }, kind: { group: "apps", version: "v1", kind: "Deployment" } }],
    ["pods of another API group", { resource: { group: "metrics.k8s.io", version: "v1beta1", resource: "pods" } }],
    ["subresource ephemeralcontainers", { subResource: "ephemeralcontainers" }],
    ["subresource status", { subResource: "status" }],
    ["subresource binding", { subResource: "binding" }],
    ["no resource and a non-Pod kind", { resource: undefined, kind: { group: "", version: "v1", kind: "ConfigMap" } }],
  ];
  for (const [name, overrides] of rows) {
    test(`admit – ${name} is skipped without a patch`, () => {
      const decision = admit(podCreateRequest(pod, overrides), { config });
      assert.equal(decision.kind, "skipped", describeDecision(decision));
      assert.ok(!("patch" in decision));
    });
  }
  test("admit – a request that names only kind Pod (no resource) is still handled", () => {
    const decision = admit(podCreateRequest(pod, { resource: undefined }), { config });
    assert.equal(decision.kind, "mutated");
  });
  for (const [name, object] of [["no object", undefined], ["an array", []], ["a pod without spec", { metadata: { labels: { "job.runner.gitlab.com/pod": "x" } } }], ["a string", "pod"]] as const) {
    test(`admit – ${name} is skipped, never an error`, () => {
      const decision = admit(podCreateRequest(undefined, { object }), { config });
      assert.equal(decision.kind, "skipped", describeDecision(decision));
    });
  }
  test("admit – plain-nginx: skipped as not a CI pod, no patch, no warnings", () => {
    const decision = admitPod(loadFixture("plain-nginx"));
    assert.equal(decision.kind, "skipped");
    assert.ok(decision.kind === "skipped" && /not a CI pod/.test(decision.reason));
    assert.ok(!("patch" in decision) && !("warnings" in decision && (decision as { warnings: string[] }).warnings.length));
  });
});

describe("admit – Windows pods are skipped", () => {
  const rows: [name: string, spec: Partial<NonNullable<Pod["spec"]>>][] = [
    ["nodeSelector kubernetes.io/os: windows", { nodeSelector: { "kubernetes.io/os": "windows" } }],
    ["nodeSelector beta.kubernetes.io/os: windows", { nodeSelector: { "beta.kubernetes.io/os": "windows" } }],
    ["spec.os.name: windows", { os: { name: "windows" } }],
    ["GitLab's nodeSelector node.kubernetes.io/windows-build", { nodeSelector: { "node.kubernetes.io/windows-build": "10.0.20348" } }],
  ];
  for (const [name, spec] of rows) {
    test(`windows – ${name} is skipped with a reason`, () => {
      const decision = admitPod(gitlabPod(spec));
      assert.equal(decision.kind, "skipped", describeDecision(decision));
      assert.ok(decision.kind === "skipped" && /windows/i.test(decision.reason));
      assert.equal(decision.ci?.system, "gitlab");
    });
  }
  test("windows – a Windows pod is not denied even with a /dev-like mount (guard does not apply)", () => {
    const pod = gitlabPod({ nodeSelector: { "kubernetes.io/os": "windows" }, volumes: [{ name: "repo", emptyDir: {} }], containers: [container("build", "mcr.microsoft.com/windows/servercore:ltsc2022", { volumeMounts: [{ name: "repo", mountPath: "/dev" }] }), container("helper")] });
    assert.equal(admitPod(pod).kind, "skipped");
  });
  test("windows – nodeSelector kubernetes.io/os: linux is mutated as usual", () => {
    assert.equal(admitPod(gitlabPod({ nodeSelector: { "kubernetes.io/os": "linux" } })).kind, "mutated");
  });
  test("windows – spec.os.name: linux is mutated as usual", () => {
    assert.equal(admitPod(gitlabPod({ os: { name: "linux" } })).kind, "mutated");
  });
});

describe("admit – skip annotation", () => {
  const optedOut = (value: string) => gitlabPod({}, { annotations: { "ci-pod-webhook.io/skip": value } });
  test("skip annotation – ci-pod-webhook.io/skip=true is honoured", () => {
    const decision = admitPod(optedOut("true"));
    assert.equal(decision.kind, "skipped");
    assert.ok(decision.kind === "skipped" && decision.reason.includes("ci-pod-webhook.io/skip"));
  });
  test("skip annotation – ignored when honourSkipAnnotation is false", () => {
    assert.equal(admitPod(optedOut("true"), { config: configWith({ honourSkipAnnotation: false }) }).kind, "mutated");
  });
  test("skip annotation – other values (false, yes) do not opt out", () => {
    assert.equal(admitPod(optedOut("false")).kind, "mutated");
    assert.equal(admitPod(optedOut("yes")).kind, "mutated");
  });
  test("skip annotation – an opted-out pod is not denied either (the guard does not run)", () => {
    const pod = loadFixture("gitlab-builds-dir-dev");
    pod.metadata!.annotations!["ci-pod-webhook.io/skip"] = "true";
    assert.equal(admitPod(pod).kind, "skipped");
  });
});

describe("admit – mode audit", () => {
  const audit = configWith({ mode: "audit" });
  test("mode audit – a pod that would be mutated is admitted unchanged with audit.wouldBe mutated", () => {
    const decision = admitPod(loadFixture("jenkins-agent-dind"), { config: audit });
    assert.equal(decision.kind, "unchanged");
    assert.ok(decision.kind === "unchanged" && decision.audit?.wouldBe === "mutated");
    assert.ok(decision.kind === "unchanged" && decision.audit?.wouldBe === "mutated" && decision.audit.patchOps > 0);
    assert.deepEqual(decision.kind === "unchanged" && decision.audit?.wouldBe === "mutated" && decision.audit.applied, ["ca-trust", "dns", "docker-host-alias"]);
    assert.ok(!("patch" in decision) && !("pod" in decision));
  });
  test("mode audit – a pod that would be denied is admitted with a warning and audit.wouldBe denied", () => {
    const decision = admitPod(loadFixture("gitlab-builds-dir-dev"), { config: audit });
    assert.equal(decision.kind, "unchanged");
    assert.ok(decision.kind === "unchanged" && decision.audit?.wouldBe === "denied");
    assert.ok(decision.kind === "unchanged" && decision.warnings.some((w) => w.includes("BUILDS_DIR_SYSTEM_PATH")));
  });
  test("mode audit – a non-CI pod is still just skipped", () => {
    assert.equal(admitPod(loadFixture("plain-nginx"), { config: audit }).kind, "skipped");
  });
});

describe("admit – missing optional fields", () => {
  test("admit – a pod without volumes, env, dnsConfig, hostAliases, initContainers or annotations is mutated into a valid pod", () => {
    const pod: Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "runner-1", namespace: "ci", labels: { "job.runner.gitlab.com/pod": "runner-1" } },
      spec: { containers: [{ name: "build", image: "alpine:3.20" }, { name: "helper", image: "alpine:3.20" }, dindContainer("svc-0")] },
    };
    const decision = expectMutated(admitPod(pod));
    assert.deepEqual(decision.applied, ["ca-trust", "dns", "docker-host-alias"]);
    assert.equal(decision.pod.spec?.volumes?.length, 1);
    assert.deepEqual(decision.pod.spec?.dnsConfig, { options: [{ name: "ndots", value: "2" }] });
    assert.deepEqual(decision.pod.spec?.hostAliases, [{ ip: "127.0.0.1", hostnames: ["docker"] }]);
    assert.equal(decision.pod.spec?.initContainers, undefined);
    assert.deepEqual(decision.pod.metadata?.annotations, { [MUTATED_ANNOTATION]: "ca-trust,dns,docker-host-alias" });
    assertSchemaValid(decision.pod);
  });
  test("admit – namespace for the CA presence check comes from the request, then the pod", () => {
    const seen: string[] = [];
    const deps = { config, caBundlePresent: (ns: string) => (seen.push(ns), true) };
    const pod = loadFixture("jenkins-agent-dind");
    admit(podCreateRequest(pod), deps);
    admit(podCreateRequest(pod, { namespace: "from-request" }), deps);
    const bare = structuredClone(pod);
    delete bare.metadata!.namespace;
    admit(podCreateRequest(bare), deps);
    assert.deepEqual(seen, ["jenkins-agents", "from-request", "default"]);
  });
});

describe("admit – ci-pod-webhook.io/mutated", () => {
  test("mutated annotation – lists the applied mutators, sorted", () => {
    const decision = expectMutated(admitPod(loadFixture("tekton-taskrun-dind")));
    assert.equal(decision.pod.metadata?.annotations?.[MUTATED_ANNOTATION], "ca-trust,dns,docker-host-alias");
  });
  test("mutated annotation – Tekton's other annotations are untouched", () => {
    const original = loadFixture("tekton-taskrun-dind");
    const decision = expectMutated(admitPod(original));
    const { [MUTATED_ANNOTATION]: ours, ...rest } = decision.pod.metadata?.annotations ?? {};
    assert.ok(ours);
    assert.deepEqual(rest, original.metadata?.annotations);
    assert.deepEqual(decision.patch.filter((op) => op.path.startsWith("/metadata")).map((op) => `${op.op} ${op.path}`), ["add /metadata/annotations/ci-pod-webhook.io~1mutated"]);
  });
  test("mutated annotation – the union with an earlier round's record is kept", () => {
    const pod = gitlabPod({ dnsConfig: { options: [{ name: "ndots", value: "2" }] } }, { annotations: { [MUTATED_ANNOTATION]: "dns" } });
    const decision = expectMutated(admitPod(pod));
    assert.deepEqual(decision.applied, ["ca-trust"]);
    assert.equal(decision.pod.metadata?.annotations?.[MUTATED_ANNOTATION], "ca-trust,dns");
  });
  test("mutated annotation – names this version does not know are kept in the union", () => {
    const pod = gitlabPod({}, { annotations: { [MUTATED_ANNOTATION]: "legacy-thing" } });
    const decision = expectMutated(admitPod(pod));
    assert.equal(decision.pod.metadata?.annotations?.[MUTATED_ANNOTATION], "ca-trust,dns,legacy-thing");
  });
  test("mutated annotation – a reinvocation that applies nothing new leaves it as it is and produces no patch", () => {
    const first = expectMutated(admitPod(loadFixture("gitlab-attach-dind")));
    const again = admitPod(first.pod);
    assert.equal(again.kind, "unchanged", describeDecision(again));
  });
  test("mutated annotation – the annotation alone never makes the webhook skip work", () => {
    const pod = gitlabPod({}, { annotations: { [MUTATED_ANNOTATION]: "ca-trust,dns" } });
    const decision = expectMutated(admitPod(pod));
    assert.deepEqual(decision.applied, ["ca-trust", "dns"]);
    assert.equal(decision.pod.metadata?.annotations?.[MUTATED_ANNOTATION], "ca-trust,dns");
  });
  test("mutated annotation – not added when nothing was applied", () => {
    const decision = admitPod(gitlabPod(), { config: configWith({ caTrust: { enabled: false }, dns: { enabled: false } }) });
    assert.equal(decision.kind, "unchanged");
  });
});
