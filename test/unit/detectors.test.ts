/** Which pods are CI pods, and which system made them: one table per detector. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { classifyPod } from "../../src/classify/classify-pod.js";
import type { Pod } from "../../src/k8s/pod.js";
import { configWith } from "../support/config.js";
import { loadFixture } from "../support/fixtures.js";
import { container, labelledPod } from "../support/pods.js";

const defaults = configWith({});
const buildAndHelper = [container("build"), container("helper")];

function systemOf(pod: Pod, config = defaults): string | undefined {
  const result = classifyPod(pod, config);
  return result.ci ? result.system : undefined;
}

interface Row {
  name: string;
  pod: Pod;
  system: string | undefined;
}

function table(rows: Row[], config = defaults): void {
  for (const row of rows) {
    test(row.name, () => assert.equal(systemOf(row.pod, config), row.system));
  }
}

describe("detectors – shared fixtures", () => {
  table([
    { name: "gitlab-attach-dind is gitlab", pod: loadFixture("gitlab-attach-dind"), system: "gitlab" },
    { name: "gitlab-builds-dir-dev (runner 16.1, label pod only) is gitlab", pod: loadFixture("gitlab-builds-dir-dev"), system: "gitlab" },
    { name: "jenkins-agent-dind is jenkins", pod: loadFixture("jenkins-agent-dind"), system: "jenkins" },
    { name: "arc-ephemeral-runner-dind is arc", pod: loadFixture("arc-ephemeral-runner-dind"), system: "arc" },
    { name: "tekton-taskrun-dind is tekton", pod: loadFixture("tekton-taskrun-dind"), system: "tekton" },
    { name: "plain-nginx is not a CI pod", pod: loadFixture("plain-nginx"), system: undefined },
  ]);
});

describe("detectors – gitlab", () => {
  table([
    { name: "gitlab – label job.runner.gitlab.com/pod (runner >= 17.9) is enough", pod: labelledPod({ "job.runner.gitlab.com/pod": "runner-x-project-1-concurrent-0" }), system: "gitlab" },
    { name: "gitlab – old runner: label pod plus build and helper containers", pod: labelledPod({ pod: "runner-x-project-1-concurrent-0" }, undefined, buildAndHelper), system: "gitlab" },
    { name: "gitlab – old runner: helper may be listed before build", pod: labelledPod({ pod: "runner-x" }, undefined, [container("helper"), container("svc-0"), container("build")]), system: "gitlab" },
    { name: "gitlab – a label named pod alone is not a GitLab pod", pod: labelledPod({ pod: "my-app" }), system: undefined },
    { name: "gitlab – label pod with a build container but no helper is not a GitLab pod", pod: labelledPod({ pod: "x" }, undefined, [container("build")]), system: undefined },
    { name: "gitlab – build and helper containers without the pod label are not a GitLab pod", pod: labelledPod({ app: "x" }, undefined, buildAndHelper), system: undefined },
    { name: "gitlab – GitLab annotations alone do not make a GitLab pod", pod: labelledPod({}, { "job.runner.gitlab.com/id": "1" }), system: undefined },
  ]);
});

describe("detectors – jenkins", () => {
  table([
    { name: "jenkins – label kubernetes.jenkins.io/controller alone", pod: labelledPod({ "kubernetes.jenkins.io/controller": "http___jenkins_8080x" }), system: "jenkins" },
    { name: "jenkins – label jenkins/label-digest alone", pod: labelledPod({ "jenkins/label-digest": "2fe8396503d76e3ecb6edea76bee631070ea71f7" }), system: "jenkins" },
    { name: "jenkins – both labels", pod: labelledPod({ "kubernetes.jenkins.io/controller": "c", "jenkins/label-digest": "d" }), system: "jenkins" },
    { name: "jenkins – jenkins=slave alone is not enough (operators can change it)", pod: labelledPod({ jenkins: "slave" }), system: undefined },
    { name: "jenkins – jenkins/label alone is not enough", pod: labelledPod({ "jenkins/label": "x" }), system: undefined },
  ]);
});

describe("detectors – arc", () => {
  table([
    { name: "arc – scale set: actions-ephemeral-runner=True and component runner", pod: labelledPod({ "actions-ephemeral-runner": "True", "app.kubernetes.io/component": "runner" }), system: "arc" },
    { name: "arc – scale set listener (component runner-scale-set-listener) is not a job pod", pod: labelledPod({ "actions-ephemeral-runner": "True", "app.kubernetes.io/component": "runner-scale-set-listener" }), system: undefined },
    { name: "arc – actions-ephemeral-runner=False is not a runner", pod: labelledPod({ "actions-ephemeral-runner": "False", "app.kubernetes.io/component": "runner" }), system: undefined },
    { name: "arc – legacy label actions-runner (empty value)", pod: labelledPod({ "actions-runner": "" }), system: "arc" },
    { name: "arc – legacy label runner-deployment-name", pod: labelledPod({ "runner-deployment-name": "example" }), system: "arc" },
    { name: "arc – legacy label runnerset-name", pod: labelledPod({ "runnerset-name": "example" }), system: "arc" },
    { name: "arc – actions.github.com labels alone are not a runner", pod: labelledPod({ "actions.github.com/scale-set-name": "x" }), system: undefined },
  ]);
});

describe("detectors – tekton", () => {
  const tekton = (managedBy: string) => labelledPod({ "app.kubernetes.io/managed-by": managedBy, "tekton.dev/taskRun": "build-1" });
  table([
    { name: "tekton – managed-by tekton-pipelines plus tekton.dev/taskRun", pod: tekton("tekton-pipelines"), system: "tekton" },
    { name: "tekton – managed-by without tekton.dev/taskRun is not a TaskRun pod", pod: labelledPod({ "app.kubernetes.io/managed-by": "tekton-pipelines" }), system: undefined },
    { name: "tekton – tekton.dev/taskRun with another manager is not Tekton under the default config", pod: tekton("openshift-pipelines"), system: undefined },
  ]);
  test("tekton – custom detectors.tekton.managedBy matches that manager and no longer the default", () => {
    const config = configWith({ detectors: { tekton: { managedBy: "openshift-pipelines" } } });
    assert.equal(systemOf(tekton("openshift-pipelines"), config), "tekton");
    assert.equal(systemOf(tekton("tekton-pipelines"), config), undefined);
  });
});

describe("detectors – custom selectors", () => {
  const config = configWith({
    detectors: {
      custom: [
        { name: "buildkite", matchLabels: { "app.kubernetes.io/managed-by": "agent-stack-k8s" } },
        { name: "drone", matchAnnotations: { "io.drone.build.number": "7" } },
        { name: "woodpecker", matchLabels: { "woodpecker-ci.org/step": "build" }, matchAnnotations: { "woodpecker-ci.org/managed": "true" } },
      ],
    },
  });
  table(
    [
      { name: "custom – matchLabels selects custom:<name>", pod: labelledPod({ "app.kubernetes.io/managed-by": "agent-stack-k8s" }), system: "custom:buildkite" },
      { name: "custom – matchLabels needs the exact value", pod: labelledPod({ "app.kubernetes.io/managed-by": "helm" }), system: undefined },
      { name: "custom – matchAnnotations selects", pod: labelledPod({}, { "io.drone.build.number": "7" }), system: "custom:drone" },
      { name: "custom – an annotation value is not a label", pod: labelledPod({ "io.drone.build.number": "7" }), system: undefined },
      { name: "custom – labels and annotations must all match", pod: labelledPod({ "woodpecker-ci.org/step": "build" }, { "woodpecker-ci.org/managed": "true" }), system: "custom:woodpecker" },
      { name: "custom – a partial match is no match", pod: labelledPod({ "woodpecker-ci.org/step": "build" }), system: undefined },
    ],
    config,
  );
  test("custom – built-in detectors win over custom selectors", () => {
    const pod = labelledPod({ "app.kubernetes.io/managed-by": "agent-stack-k8s", "job.runner.gitlab.com/pod": "x" });
    assert.equal(systemOf(pod, config), "gitlab");
  });
});

describe("detectors – disabled", () => {
  test("disabled detector – a GitLab pod is not a CI pod when detectors.gitlab.enabled is false", () => {
    const config = configWith({ detectors: { gitlab: { enabled: false } } });
    const result = classifyPod(loadFixture("gitlab-attach-dind"), config);
    assert.equal(result.ci, false);
  });
  test("disabled detector – other systems are still detected", () => {
    const config = configWith({ detectors: { gitlab: { enabled: false } } });
    assert.equal(systemOf(loadFixture("jenkins-agent-dind"), config), "jenkins");
  });
  for (const name of ["jenkins", "arc", "tekton"] as const) {
    test(`disabled detector – ${name} off leaves its fixture unclassified`, () => {
      const fixture = { jenkins: "jenkins-agent-dind", arc: "arc-ephemeral-runner-dind", tekton: "tekton-taskrun-dind" }[name];
      const config = configWith({ detectors: { [name]: { enabled: false } } });
      assert.equal(systemOf(loadFixture(fixture), config), undefined);
    });
  }
});

describe("detectors – reasons and identifiers", () => {
  test("not a CI pod – the result carries a reason for the audit line", () => {
    const result = classifyPod(loadFixture("plain-nginx"), defaults);
    assert.equal(result.ci, false);
    assert.ok(!result.ci && result.reason.length > 0);
  });
  test("identifiers – come from labels and annotations, never from env (no JENKINS_SECRET)", () => {
    const result = classifyPod(loadFixture("jenkins-agent-dind"), defaults);
    assert.ok(result.ci);
    const text = JSON.stringify(result);
    assert.ok(!text.includes("5f0c6d7e2a9b4c1d8e3f6a7b0c9d2e4f1a8b3c6d9e0f2a5b7c4d1e8f3a6b9c0d"));
    assert.equal(result.ci && result.identifiers.buildUrl, "http://jenkins.jenkins.svc.cluster.local:8080/job/platform/job/image-builder/job/main/57/");
  });
  test("identifiers – gitlab job id and project id", () => {
    const result = classifyPod(loadFixture("gitlab-attach-dind"), defaults);
    assert.ok(result.ci);
    assert.equal(result.ci && result.identifiers.jobId, "987654");
    assert.equal(result.ci && result.identifiers.projectId, "4242");
  });
  test("a pod without metadata or labels is not a CI pod and does not throw", () => {
    assert.equal(systemOf({ spec: { containers: [] } } as Pod), undefined);
    assert.equal(systemOf({ metadata: {}, spec: { containers: [] } } as Pod), undefined);
  });
});
