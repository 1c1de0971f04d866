/**
 * The shared fixtures: the copies are byte-identical, and each one gets what the fixture README's
 * "a correct webhook must" column says, asserted directly rather than only through golden files.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Container, Pod } from "../../src/k8s/pod.js";
import { admitPod, expectMutated } from "../support/admit.js";
import { configWith } from "../support/config.js";
import { fixturePath, loadFixture, loadFixtureText, SHARED_FIXTURES } from "../support/fixtures.js";
import { GOLDEN_DIR } from "../support/paths.js";
import { allContainers, containerNamed, envValue } from "../support/pods.js";

const SHARED_SOURCE = "/work/shared/fixtures";
const CA_VOLUME = "ci-pod-webhook-ca";
const CA_DIR = "/etc/ci-pod-webhook/ca";

/** Golden inputs that are verbatim copies of a shared fixture. */
const GOLDEN_COPIES: Record<string, string[]> = {
  "gitlab-attach-dind": ["gitlab/attach-dind", "gitlab/attach-dind-registry-ca"],
  "gitlab-builds-dir-dev": ["gitlab/builds-dir-dev", "gitlab/builds-dir-dev-warn"],
  "jenkins-agent-dind": ["jenkins/agent-dind"],
  "arc-ephemeral-runner-dind": ["arc/ephemeral-runner-dind"],
  "tekton-taskrun-dind": ["tekton/taskrun-dind"],
  "plain-nginx": ["none/plain-nginx"],
};

const hasCa = (c: Container) => (c.volumeMounts ?? []).some((m) => m.name === CA_VOLUME && m.mountPath === CA_DIR);
const ndots = (pod: Pod) => (pod.spec?.dnsConfig?.options ?? []).filter((o) => o.name === "ndots");
const dockerAliases = (pod: Pod) => (pod.spec?.hostAliases ?? []).filter((a) => a.hostnames?.includes("docker"));

describe("shared fixtures – copies", () => {
  for (const name of SHARED_FIXTURES) {
    test(`fixture ${name} – golden inputs are byte-identical to test/fixtures/shared`, () => {
      const text = loadFixtureText(name);
      for (const id of GOLDEN_COPIES[name] ?? []) {
        assert.equal(readFileSync(join(GOLDEN_DIR, `${id}.pod.json`), "utf8"), text, id);
      }
    });
    test(`fixture ${name} – byte-identical to the project's shared fixture set`, { skip: !existsSync(SHARED_SOURCE) && "shared fixture set not present" }, () => {
      assert.ok(readFileSync(join(SHARED_SOURCE, `${name}.pod.json`)).equals(readFileSync(fixturePath(name))));
    });
  }
});

describe("gitlab-attach-dind – must", () => {
  const original = loadFixture("gitlab-attach-dind");
  const decision = expectMutated(admitPod(original));
  test("gitlab-attach-dind – CA in every container including init-permissions and svc-0", () => {
    for (const name of ["init-permissions", "build", "helper", "svc-0"]) assert.ok(hasCa(containerNamed(decision.pod, name)), name);
  });
  test("gitlab-attach-dind – /etc/docker/certs.d/<registry>/ca.crt for svc-0 when a registry is configured", () => {
    const config = configWith({ caTrust: { dockerRegistries: ["registry.gitlab.example.com"] } });
    const pod = expectMutated(admitPod(loadFixture("gitlab-attach-dind"), { config })).pod;
    const svc = containerNamed(pod, "svc-0");
    assert.ok(svc.volumeMounts?.some((m) => m.mountPath === "/etc/docker/certs.d/registry.gitlab.example.com/ca.crt" && m.name === CA_VOLUME));
    assert.ok(!containerNamed(pod, "build").volumeMounts?.some((m) => m.mountPath.startsWith("/etc/docker/certs.d")));
  });
  test("gitlab-attach-dind – exactly one ndots", () => assert.deepEqual(ndots(decision.pod), [{ name: "ndots", value: "2" }]));
  test("gitlab-attach-dind – no second docker host alias", () => {
    assert.deepEqual(decision.pod.spec?.hostAliases, [{ ip: "127.0.0.1", hostnames: ["docker"] }]);
    assert.ok(!decision.applied.includes("docker-host-alias"));
    assert.ok(!decision.patch.some((op) => op.path.startsWith("/spec/hostAliases")));
  });
  test("gitlab-attach-dind – command, stdin, image and the scripts/logs/repo mounts are byte-identical", () => {
    for (const before of allContainers(original)) {
      const after = containerNamed(decision.pod, before.name);
      assert.deepEqual([after.command, after.stdin, after.image], [before.command, before.stdin, before.image], before.name);
      const kept = (c: Container) => c.volumeMounts?.filter((m) => ["scripts", "logs", "repo", "docker-certs"].includes(m.name));
      assert.deepEqual(kept(after), kept(before), before.name);
    }
    assert.ok(decision.patch.every((op) => !/\/(command|stdin|image)$/.test(op.path)));
  });
  test("gitlab-attach-dind – the runner's DOCKER_* env is untouched", () => {
    const build = containerNamed(decision.pod, "build");
    assert.equal(envValue(build, "DOCKER_HOST"), envValue(containerNamed(original, "build"), "DOCKER_HOST"));
  });
});

describe("gitlab-builds-dir-dev – must", () => {
  const decision = admitPod(loadFixture("gitlab-builds-dir-dev"));
  test("gitlab-builds-dir-dev – denied with BUILDS_DIR_SYSTEM_PATH naming init-permissions, repo, /dev and builds_dir", () => {
    assert.equal(decision.kind, "denied");
    assert.ok(decision.kind === "denied" && decision.code === "BUILDS_DIR_SYSTEM_PATH");
    for (const part of ["init-permissions", "repo", "/dev", "builds_dir"]) assert.ok(decision.kind === "denied" && decision.message.includes(part), part);
  });
});

describe("jenkins-agent-dind – must", () => {
  const original = loadFixture("jenkins-agent-dind");
  const decision = expectMutated(admitPod(original));
  test("jenkins-agent-dind – CA in docker-cli, dind and jnlp", () => {
    for (const name of ["docker-cli", "dind", "jnlp"]) assert.ok(hasCa(containerNamed(decision.pod, name)), name);
  });
  test("jenkins-agent-dind – ndots and the docker alias 127.0.0.1 → docker", () => {
    assert.deepEqual(ndots(decision.pod), [{ name: "ndots", value: "2" }]);
    assert.deepEqual(decision.pod.spec?.hostAliases, [{ ip: "127.0.0.1", hostnames: ["docker"] }]);
  });
  test("jenkins-agent-dind – command/args (sleep 99d) kept; JENKINS_SECRET and JENKINS_URL untouched and absent from the decision's text", () => {
    const cli = containerNamed(decision.pod, "docker-cli");
    assert.deepEqual([cli.command, cli.args], [["sleep"], ["99d"]]);
    const jnlp = containerNamed(decision.pod, "jnlp");
    const before = containerNamed(original, "jnlp");
    assert.deepEqual(jnlp.env?.slice(0, before.env!.length), before.env);
    const secret = envValue(before, "JENKINS_SECRET")!;
    assert.ok(!JSON.stringify({ w: decision.warnings, r: decision.reports, c: decision.ci }).includes(secret));
    assert.ok(!decision.patch.some((op) => JSON.stringify(op).includes(secret)));
  });
});

describe("arc-ephemeral-runner-dind – must", () => {
  const original = loadFixture("arc-ephemeral-runner-dind");
  const decision = expectMutated(admitPod(original));
  test("arc – allowed: the /var/run emptyDir is not denied", () => assert.equal(decision.kind, "mutated"));
  test("arc – CA in initContainers too, including the dind native sidecar", () => {
    for (const name of ["init-dind-externals", "dind", "runner"]) assert.ok(hasCa(containerNamed(decision.pod, name)), name);
  });
  test("arc – ndots added", () => assert.deepEqual(ndots(decision.pod), [{ name: "ndots", value: "2" }]));
  test("arc – DOCKER_HOST is neither set nor replaced", () => {
    const runner = containerNamed(decision.pod, "runner");
    assert.deepEqual(runner.env?.filter((e) => e.name === "DOCKER_HOST"), [{ name: "DOCKER_HOST", value: "unix:///var/run/docker.sock" }]);
    for (const c of allContainers(decision.pod)) {
      if (c.name !== "runner") assert.equal(envValue(c, "DOCKER_HOST"), undefined, c.name);
    }
  });
  test("arc – the sidecar's restartPolicy and startupProbe are untouched", () => {
    const before = containerNamed(original, "dind");
    const after = containerNamed(decision.pod, "dind");
    assert.equal(after.restartPolicy, "Always");
    assert.deepEqual(after.startupProbe, before.startupProbe);
    assert.ok(!decision.patch.some((op) => /restartPolicy|startupProbe/.test(op.path)));
  });
  test("arc – the default docker alias (DinD present) is added once", () => assert.equal(dockerAliases(decision.pod).length, 1));
});

describe("tekton-taskrun-dind – must", () => {
  const original = loadFixture("tekton-taskrun-dind");
  const decision = expectMutated(admitPod(original));
  test("tekton – CA in prepare and place-scripts too, never under /tekton", () => {
    for (const c of allContainers(decision.pod)) {
      assert.ok(hasCa(c), c.name);
      assert.ok(!(c.volumeMounts ?? []).some((m) => m.name === CA_VOLUME && m.mountPath.startsWith("/tekton")), c.name);
    }
  });
  test("tekton – ndots and the default docker alias (DinD sidecar present)", () => {
    assert.deepEqual(ndots(decision.pod), [{ name: "ndots", value: "2" }]);
    assert.equal(dockerAliases(decision.pod).length, 1);
  });
  test("tekton – step command/args/terminationMessagePath and the downward-API volume are kept", () => {
    const before = containerNamed(original, "step-build");
    const after = containerNamed(decision.pod, "step-build");
    assert.deepEqual([after.command, after.args, after.terminationMessagePath], [before.command, before.args, before.terminationMessagePath]);
    const downward = (p: Pod) => p.spec?.volumes?.find((v) => v.name === "tekton-internal-downward");
    assert.deepEqual(downward(decision.pod), downward(original));
  });
  test("tekton – annotations untouched besides ci-pod-webhook.io/mutated (no tekton.dev/ready)", () => {
    assert.deepEqual(decision.pod.metadata?.annotations, { ...original.metadata?.annotations, "ci-pod-webhook.io/mutated": "ca-trust,dns,docker-host-alias" });
  });
});

describe("plain-nginx – must", () => {
  test("plain-nginx – skipped as not a CI pod, no patch", () => {
    const decision = admitPod(loadFixture("plain-nginx"));
    assert.equal(decision.kind, "skipped");
    assert.ok(!("patch" in decision));
  });
});
