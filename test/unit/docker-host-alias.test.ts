/** docker-host-alias: `docker` resolves to 127.0.0.1 in pods with a DinD daemon, merged by hostname. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Container, HostAlias, Pod } from "../../src/k8s/pod.js";
import { hasDindContainer, isDindContainer, isDindImage } from "../../src/mutators/dind.js";
import { admitPod, describe as describeDecision } from "../support/admit.js";
import { configWith } from "../support/config.js";
import { loadFixture } from "../support/fixtures.js";
import { container, dindContainer, gitlabPod } from "../support/pods.js";

function hostAliasesAfter(pod: Pod, config = configWith({})): HostAlias[] | undefined {
  const decision = admitPod(pod, { config });
  assert.ok(decision.kind === "mutated" || decision.kind === "unchanged", describeDecision(decision));
  return decision.kind === "mutated" ? decision.pod.spec?.hostAliases : pod.spec?.hostAliases;
}

const withService = (service: Container, hostAliases?: HostAlias[]) =>
  gitlabPod({ containers: [container("build"), container("helper"), service], ...(hostAliases ? { hostAliases } : {}) });

describe("dind detection – images", () => {
  const rows: [image: string, dind: boolean][] = [
    ["docker:27.3-dind", true],
    ["docker:dind", true],
    ["docker:27-dind-rootless", true],
    ["docker.io/library/docker:27.3-dind", true],
    ["registry.example.com/mirror/docker:27.3-dind", true],
    ["registry.example.com:5000/mirror/docker:dind@sha256:0123456789abcdef", true],
    ["ghcr.io/example/dind-runner:1.2", true],
    ["example/docker-dind:latest", true],
    ["docker:27.3-cli", false],
    ["docker:27.3", false],
    ["docker", false],
    ["alpine:3.20", false],
    ["registry.example.com/mirror/docker:27.3-cli", false],
    ["gcr.io/kaniko-project/executor:v1.23.2", false],
  ];
  for (const [image, dind] of rows) {
    test(`dind image – ${image} ${dind ? "is" : "is not"} DinD`, () => assert.equal(isDindImage(image), dind));
  }
});

describe("dind detection – commands and names", () => {
  test("dind – dockerd in args (ARC's dind with a custom image) is DinD", () => {
    assert.equal(isDindContainer(container("daemon", "example/engine:1", { command: undefined, args: ["dockerd", "--host=unix:///var/run/docker.sock"] })), true);
  });
  test("dind – dockerd-entrypoint.sh in command is DinD", () => {
    assert.equal(isDindContainer(container("daemon", "example/engine:1", { command: ["/usr/local/bin/dockerd-entrypoint.sh"] })), true);
  });
  test("dind – dockerd inside a shell command is DinD", () => {
    assert.equal(isDindContainer(container("daemon", "example/engine:1", { command: ["sh", "-c", "dockerd --host=tcp://0.0.0.0:2375 &"] })), true);
  });
  test("dind – a container named dind with a CLI image is not DinD", () => {
    assert.equal(isDindContainer(container("dind", "docker:27.3-cli", { command: ["sleep"], args: ["99d"] })), false);
  });
  test("dind – a docker CLI command mentioning docker is not DinD", () => {
    assert.equal(isDindContainer(container("build", "docker:27.3-cli", { command: ["sh", "-c", "docker info && docker build ."] })), false);
  });
  test("dind – a native sidecar (initContainer, restartPolicy Always) counts", () => {
    assert.equal(hasDindContainer(loadFixture("arc-ephemeral-runner-dind")), true);
  });
});

describe("docker-host-alias", () => {
  test("docker alias – added as 127.0.0.1 docker when a DinD service runs", () => {
    assert.deepEqual(hostAliasesAfter(withService(dindContainer("svc-0"))), [{ ip: "127.0.0.1", hostnames: ["docker"] }]);
  });
  for (const image of ["docker:27.3-dind", "registry.example.com/mirror/docker:27.3-dind", "docker:dind"]) {
    test(`docker alias – added for DinD image ${image}`, () => {
      assert.deepEqual(hostAliasesAfter(withService(dindContainer("svc-0", image))), [{ ip: "127.0.0.1", hostnames: ["docker"] }]);
    });
  }
  test("docker alias – added when dockerd is the container's args", () => {
    const daemon = container("engine", "example/engine:1", { command: undefined, args: ["dockerd"] });
    assert.deepEqual(hostAliasesAfter(withService(daemon)), [{ ip: "127.0.0.1", hostnames: ["docker"] }]);
  });
  test("docker alias – not added for a container named dind running a non-DinD image", () => {
    assert.equal(hostAliasesAfter(withService(container("dind", "docker:27.3-cli"))), undefined);
  });
  test("docker alias – not added without DinD (docker.sock from the node)", () => {
    assert.equal(hostAliasesAfter(gitlabPod()), undefined);
  });
  test("docker alias – when: always adds it without DinD", () => {
    const config = configWith({ dockerHostAlias: { when: "always" } });
    assert.deepEqual(hostAliasesAfter(gitlabPod(), config), [{ ip: "127.0.0.1", hostnames: ["docker"] }]);
  });
  test("docker alias – the runner's own 127.0.0.1 docker alias is not duplicated (gitlab-attach-dind)", () => {
    const pod = loadFixture("gitlab-attach-dind");
    const aliases = hostAliasesAfter(pod);
    assert.deepEqual(aliases, [{ ip: "127.0.0.1", hostnames: ["docker"] }]);
  });
  test("docker alias – an existing alias mapping docker elsewhere is kept, with a warning", () => {
    const pod = withService(dindContainer("svc-0"), [{ ip: "10.20.30.40", hostnames: ["docker"] }]);
    const decision = admitPod(pod);
    assert.ok(decision.kind === "mutated");
    assert.deepEqual(decision.pod.spec?.hostAliases, [{ ip: "10.20.30.40", hostnames: ["docker"] }]);
    assert.ok(decision.warnings.some((w) => w.includes("docker") && w.includes("10.20.30.40")), JSON.stringify(decision.warnings));
    assert.ok(!decision.applied.includes("docker-host-alias"));
  });
  test("docker alias – appended after operator aliases, whose order is kept", () => {
    const operator = [{ ip: "10.0.0.1", hostnames: ["registry.internal"] }, { ip: "10.0.0.2", hostnames: ["cache.internal"] }];
    assert.deepEqual(hostAliasesAfter(withService(dindContainer("svc-0"), operator)), [...operator, { ip: "127.0.0.1", hostnames: ["docker"] }]);
  });
  test("docker alias – docker listed among other hostnames of an entry counts as present", () => {
    const existing = [{ ip: "127.0.0.1", hostnames: ["localhost.localdomain", "docker"] }];
    assert.deepEqual(hostAliasesAfter(withService(dindContainer("svc-0"), existing)), existing);
  });
  test("docker alias – configured hostnames: only the missing ones are appended", () => {
    const config = configWith({ dockerHostAlias: { hostnames: ["docker", "dind"] } });
    const existing = [{ ip: "127.0.0.1", hostnames: ["docker"] }];
    assert.deepEqual(hostAliasesAfter(withService(dindContainer("svc-0"), existing), config), [...existing, { ip: "127.0.0.1", hostnames: ["dind"] }]);
  });
  test("docker alias – native sidecar DinD (ARC) gets the alias; DOCKER_HOST stays unix://", () => {
    const pod = loadFixture("arc-ephemeral-runner-dind");
    const decision = admitPod(pod);
    assert.ok(decision.kind === "mutated");
    assert.deepEqual(decision.pod.spec?.hostAliases, [{ ip: "127.0.0.1", hostnames: ["docker"] }]);
    const runner = decision.pod.spec?.containers.find((c) => c.name === "runner");
    assert.deepEqual(runner?.env?.filter((e) => e.name === "DOCKER_HOST"), [{ name: "DOCKER_HOST", value: "unix:///var/run/docker.sock" }]);
  });
  test("docker alias – disabled: no hostAliases change", () => {
    const config = configWith({ dockerHostAlias: { enabled: false } });
    assert.equal(hostAliasesAfter(withService(dindContainer("svc-0")), config), undefined);
  });
  test("docker alias – IPv6 ip from config", () => {
    const config = configWith({ dockerHostAlias: { ip: "::1" } });
    assert.deepEqual(hostAliasesAfter(withService(dindContainer("svc-0")), config), [{ ip: "::1", hostnames: ["docker"] }]);
  });
});
