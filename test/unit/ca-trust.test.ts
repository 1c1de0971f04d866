/** ca-trust: the CA bundle in every container and init container, CA env vars where the job left them unset. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { validateConfig } from "../../src/config/load-config.js";
import type { Container, Pod } from "../../src/k8s/pod.js";
import { admitPod, describe as describeDecision, expectMutated } from "../support/admit.js";
import { configWith } from "../support/config.js";
import { loadFixture } from "../support/fixtures.js";
import { allContainers, container, containerNamed, dindContainer, envValue, gitlabPod } from "../support/pods.js";

const CA_DIR = "/etc/ci-pod-webhook/ca";
const CA_FILE = `${CA_DIR}/ca-certificates.crt`;
const CA_VOLUME = "ci-pod-webhook-ca";
const CA_ENV = ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "NODE_EXTRA_CA_CERTS"];

const caMounts = (c: Container) => (c.volumeMounts ?? []).filter((m) => m.name === CA_VOLUME);
const hasCaDir = (c: Container) => caMounts(c).some((m) => m.mountPath === CA_DIR && m.readOnly === true);

describe("ca-trust – every container", () => {
  for (const fixture of ["gitlab-attach-dind", "jenkins-agent-dind", "arc-ephemeral-runner-dind", "tekton-taskrun-dind"]) {
    test(`ca-trust – ${fixture}: every container and init container mounts the CA and has the CA env vars`, () => {
      const decision = expectMutated(admitPod(loadFixture(fixture)));
      for (const c of allContainers(decision.pod)) {
        assert.ok(hasCaDir(c), `${c.name} lacks the CA mount`);
        for (const name of CA_ENV) assert.ok(c.env?.some((e) => e.name === name), `${c.name} lacks ${name}`);
      }
      const volumes = decision.pod.spec?.volumes?.filter((v) => v.name === CA_VOLUME);
      assert.deepEqual(volumes, [{ name: CA_VOLUME, configMap: { name: "ci-ca-bundle" } }]);
    });
  }
  test("ca-trust – ARC's dind native sidecar gets the CA; its restartPolicy and startupProbe are untouched", () => {
    const original = loadFixture("arc-ephemeral-runner-dind");
    const decision = expectMutated(admitPod(original));
    const before = original.spec!.initContainers![1]!;
    const after = decision.pod.spec!.initContainers![1]!;
    assert.equal(after.name, "dind");
    assert.ok(hasCaDir(after));
    assert.equal(after.restartPolicy, "Always");
    assert.deepEqual(after.startupProbe, before.startupProbe);
    assert.deepEqual(after.args, before.args);
  });
  test("ca-trust – Tekton: the CA mount does not land under /tekton", () => {
    const decision = expectMutated(admitPod(loadFixture("tekton-taskrun-dind")));
    const ours = allContainers(decision.pod).flatMap(caMounts);
    assert.ok(ours.length > 0);
    assert.ok(ours.every((m) => !m.mountPath.startsWith("/tekton")), JSON.stringify(ours));
  });
  test("ca-trust – a pod without volumes, env, volumeMounts or initContainers gets them created", () => {
    const pod = gitlabPod({ containers: [{ name: "build", image: "alpine:3.20" }, { name: "helper", image: "alpine:3.20" }] });
    const decision = expectMutated(admitPod(pod));
    assert.deepEqual(decision.pod.spec?.volumes, [{ name: CA_VOLUME, configMap: { name: "ci-ca-bundle" } }]);
    for (const c of allContainers(decision.pod)) {
      assert.ok(hasCaDir(c));
      assert.equal(envValue(c, "SSL_CERT_FILE"), CA_FILE);
    }
    assert.equal(decision.pod.spec?.initContainers, undefined);
  });
  test("ca-trust – env vars are appended after the job's own env, never inserted", () => {
    const pod = gitlabPod({ containers: [container("build", "alpine:3.20", { env: [{ name: "A", value: "1" }, { name: "B", value: "2" }] }), container("helper")] });
    const build = containerNamed(expectMutated(admitPod(pod)).pod, "build");
    assert.deepEqual(build.env?.slice(0, 2), [{ name: "A", value: "1" }, { name: "B", value: "2" }]);
    assert.deepEqual(build.env?.slice(2).map((e) => e.name), CA_ENV);
  });
});

describe("ca-trust – the author's settings win", () => {
  test("ca-trust – keeps the pipeline author's SSL_CERT_FILE", () => {
    const pod = gitlabPod({ containers: [container("build", "alpine:3.20", { env: [{ name: "SSL_CERT_FILE", value: "/builds/app/ca.pem" }] }), container("helper")] });
    const build = containerNamed(expectMutated(admitPod(pod)).pod, "build");
    assert.deepEqual(build.env?.filter((e) => e.name === "SSL_CERT_FILE"), [{ name: "SSL_CERT_FILE", value: "/builds/app/ca.pem" }]);
    assert.equal(envValue(build, "REQUESTS_CA_BUNDLE"), CA_FILE);
  });
  test("ca-trust – keeps an env var the author sets from a ConfigMap (valueFrom)", () => {
    const valueFrom = { configMapKeyRef: { name: "node-ca", key: "ca.pem" } };
    const pod = gitlabPod({ containers: [container("build", "node:22", { env: [{ name: "NODE_EXTRA_CA_CERTS", valueFrom }] }), container("helper")] });
    const build = containerNamed(expectMutated(admitPod(pod)).pod, "build");
    assert.deepEqual(build.env?.filter((e) => e.name === "NODE_EXTRA_CA_CERTS"), [{ name: "NODE_EXTRA_CA_CERTS", valueFrom }]);
  });
  test("ca-trust – keeps an empty value the author set on purpose", () => {
    const pod = gitlabPod({ containers: [container("build", "alpine:3.20", { env: [{ name: "CURL_CA_BUNDLE", value: "" }] }), container("helper")] });
    const build = containerNamed(expectMutated(admitPod(pod)).pod, "build");
    assert.deepEqual(build.env?.filter((e) => e.name === "CURL_CA_BUNDLE"), [{ name: "CURL_CA_BUNDLE", value: "" }]);
  });
  test("ca-trust – Jenkins: JENKINS_SECRET and JENKINS_URL keep their values and never appear in warnings or changes", () => {
    const original = loadFixture("jenkins-agent-dind");
    const decision = expectMutated(admitPod(original));
    const jnlp = containerNamed(decision.pod, "jnlp");
    const before = containerNamed(original, "jnlp");
    assert.equal(envValue(jnlp, "JENKINS_SECRET"), envValue(before, "JENKINS_SECRET"));
    assert.equal(envValue(jnlp, "JENKINS_URL"), envValue(before, "JENKINS_URL"));
    const secret = envValue(before, "JENKINS_SECRET")!;
    assert.ok(!JSON.stringify({ w: decision.warnings, r: decision.reports }).includes(secret));
  });
});

describe("ca-trust – the CA path is taken", () => {
  const operatorCa = { name: "company-ca", configMap: { name: "company-ca" } };
  test("ca-trust – CA mountPath already used by another volume: that container is skipped with a warning, others still get it", () => {
    const pod = gitlabPod({
      volumes: [operatorCa],
      containers: [container("build", "alpine:3.20", { volumeMounts: [{ name: "company-ca", mountPath: CA_DIR }] }), container("helper")],
    });
    const decision = expectMutated(admitPod(pod));
    const build = containerNamed(decision.pod, "build");
    assert.deepEqual(build.volumeMounts, [{ name: "company-ca", mountPath: CA_DIR }]);
    assert.equal(build.env, undefined, "CA env vars would point into the operator's volume");
    assert.ok(hasCaDir(containerNamed(decision.pod, "helper")));
    assert.ok(decision.warnings.some((w) => w.includes("build") && w.includes("company-ca")), JSON.stringify(decision.warnings));
  });
  test("ca-trust – a volume mounted over a parent of the CA dir also counts as taken", () => {
    const pod = gitlabPod({
      volumes: [operatorCa],
      containers: [container("build", "alpine:3.20", { volumeMounts: [{ name: "company-ca", mountPath: "/etc/ci-pod-webhook/" }] }), container("helper")],
    });
    const decision = expectMutated(admitPod(pod));
    assert.equal(caMounts(containerNamed(decision.pod, "build")).length, 0);
    assert.ok(decision.warnings.some((w) => w.includes("build")));
  });
  test("ca-trust – every container taken: pod unchanged by ca-trust, warnings explain why", () => {
    const mounts = [{ name: "company-ca", mountPath: CA_DIR }];
    const pod = gitlabPod({ volumes: [operatorCa], containers: [container("build", "alpine:3.20", { volumeMounts: mounts }), container("helper", "alpine:3.20", { volumeMounts: mounts })] });
    const decision = admitPod(pod);
    assert.ok(decision.kind === "mutated" || decision.kind === "unchanged");
    assert.ok(decision.kind !== "mutated" || !decision.applied.includes("ca-trust"));
    assert.ok(decision.kind !== "mutated" || !decision.pod.spec?.volumes?.some((v) => v.name === CA_VOLUME), "CA volume added but unused");
    assert.equal(decision.warnings.filter((w) => w.includes(CA_DIR)).length, 2);
  });
  test("ca-trust – a foreign volume already named ci-pod-webhook-ca: CA not injected, with a warning", () => {
    const pod = gitlabPod({ volumes: [{ name: CA_VOLUME, emptyDir: {} }] });
    const decision = expectMutated(admitPod(pod));
    assert.ok(!decision.applied.includes("ca-trust"));
    assert.ok(allContainers(decision.pod).every((c) => caMounts(c).length === 0));
    assert.ok(decision.warnings.some((w) => w.includes(CA_VOLUME)));
  });
});

describe("ca-trust – reinvocation", () => {
  test("ca-trust – CA mount already ours: nothing is added twice", () => {
    const first = expectMutated(admitPod(loadFixture("tekton-taskrun-dind")));
    const second = admitPod(first.pod);
    assert.equal(second.kind, "unchanged", describeDecision(second));
  });
  test("ca-trust – a container added by another webhook between rounds gets the CA, the volume is not added again", () => {
    const first = expectMutated(admitPod(loadFixture("jenkins-agent-dind")));
    const withSidecar: Pod = structuredClone(first.pod);
    withSidecar.spec!.containers.push(container("istio-proxy", "docker.io/istio/proxyv2:1.24.0", { command: undefined, args: ["proxy", "sidecar"] }));
    const second = expectMutated(admitPod(withSidecar));
    assert.ok(hasCaDir(containerNamed(second.pod, "istio-proxy")));
    assert.equal(second.pod.spec?.volumes?.filter((v) => v.name === CA_VOLUME).length, 1);
    assert.ok(second.patch.every((op) => op.path.startsWith("/spec/containers/3/")), JSON.stringify(second.patch.map((op) => op.path)));
  });
});

describe("ca-trust – options", () => {
  test("caTrust.overlaySystemPaths – each distro bundle file is a read-only subPath mount of the CA key", () => {
    const decision = expectMutated(admitPod(gitlabPod(), { config: configWith({ caTrust: { overlaySystemPaths: true } }) }));
    const build = containerNamed(decision.pod, "build");
    const overlays = caMounts(build).filter((m) => m.mountPath !== CA_DIR);
    assert.deepEqual(overlays.map((m) => m.mountPath), ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/ca-bundle.pem"]);
    assert.ok(overlays.every((m) => m.subPath === "ca-certificates.crt" && m.readOnly === true));
  });
  test("caTrust.overlaySystemPaths off (default) – no subPath mounts", () => {
    const build = containerNamed(expectMutated(admitPod(gitlabPod())).pod, "build");
    assert.deepEqual(caMounts(build).map((m) => m.mountPath), [CA_DIR]);
  });
  test("caTrust.dockerRegistries – /etc/docker/certs.d/<registry>/ca.crt only in DinD containers", () => {
    const pod = gitlabPod({ containers: [container("build", "docker:27.3-cli"), container("helper"), dindContainer("svc-0")] });
    const config = configWith({ caTrust: { dockerRegistries: ["registry.example.com", "registry.example.com:5000"] } });
    const decision = expectMutated(admitPod(pod, { config }));
    const svc = caMounts(containerNamed(decision.pod, "svc-0"));
    assert.deepEqual(svc.filter((m) => m.subPath).map((m) => m.mountPath), ["/etc/docker/certs.d/registry.example.com/ca.crt", "/etc/docker/certs.d/registry.example.com:5000/ca.crt"]);
    for (const name of ["build", "helper"]) {
      assert.ok(caMounts(containerNamed(decision.pod, name)).every((m) => !m.mountPath.startsWith("/etc/docker")), name);
    }
  });
  test("caTrust.dockerRegistries – ARC's dind native sidecar gets the registry CA", () => {
    const config = configWith({ caTrust: { dockerRegistries: ["ghcr.example.com"] } });
    const decision = expectMutated(admitPod(loadFixture("arc-ephemeral-runner-dind"), { config }));
    assert.ok(caMounts(containerNamed(decision.pod, "dind")).some((m) => m.mountPath === "/etc/docker/certs.d/ghcr.example.com/ca.crt"));
    assert.ok(!caMounts(containerNamed(decision.pod, "runner")).some((m) => m.mountPath.startsWith("/etc/docker")));
  });
  test("caTrust.dockerRegistries – a DinD container that mounts /etc/docker/certs.d itself is left alone there, with a warning", () => {
    const certs = { name: "registry-certs", secret: { secretName: "registry-certs" } };
    const svc = dindContainer("svc-0", "docker:27.3-dind", { volumeMounts: [{ name: "registry-certs", mountPath: "/etc/docker/certs.d" }] });
    const pod = gitlabPod({ volumes: [certs], containers: [container("build"), container("helper"), svc] });
    const config = configWith({ caTrust: { dockerRegistries: ["registry.example.com"] } });
    const decision = expectMutated(admitPod(pod, { config }));
    const after = containerNamed(decision.pod, "svc-0");
    assert.deepEqual(caMounts(after).map((m) => m.mountPath), [CA_DIR]);
    assert.ok(decision.warnings.some((w) => w.includes("svc-0") && w.includes("/etc/docker/certs.d/registry.example.com/ca.crt")));
  });
  test("caBundlePresent false – no CA change, a warning names the missing ConfigMap, other mutators still run", () => {
    const decision = expectMutated(admitPod(loadFixture("jenkins-agent-dind"), { caBundlePresent: false }));
    assert.ok(!decision.applied.includes("ca-trust"));
    assert.ok(allContainers(decision.pod).every((c) => caMounts(c).length === 0));
    assert.ok(!decision.pod.spec?.volumes?.some((v) => v.name === CA_VOLUME));
    assert.ok(decision.warnings.some((w) => w.includes("ci-ca-bundle") && w.includes("jenkins-agents")), JSON.stringify(decision.warnings));
    assert.deepEqual(decision.applied, ["dns", "docker-host-alias"]);
  });
  test("caTrust – custom mountDir, key, volumeName, configMapName and envVars are used throughout", () => {
    const config = configWith({ caTrust: { mountDir: "/opt/ca", key: "bundle.pem", volumeName: "corp-ca", configMapName: "corp-ca-bundle", envVars: ["SSL_CERT_FILE", "AWS_CA_BUNDLE"] } });
    const decision = expectMutated(admitPod(gitlabPod(), { config }));
    const build = containerNamed(decision.pod, "build");
    assert.deepEqual(build.volumeMounts, [{ name: "corp-ca", mountPath: "/opt/ca", readOnly: true }]);
    assert.deepEqual(build.env, [{ name: "SSL_CERT_FILE", value: "/opt/ca/bundle.pem" }, { name: "AWS_CA_BUNDLE", value: "/opt/ca/bundle.pem" }]);
    assert.deepEqual(decision.pod.spec?.volumes, [{ name: "corp-ca", configMap: { name: "corp-ca-bundle" } }]);
  });
  test("caTrust.enabled false – no CA volume, mounts or env", () => {
    const decision = expectMutated(admitPod(gitlabPod(), { config: configWith({ caTrust: { enabled: false } }) }));
    assert.equal(decision.pod.spec?.volumes, undefined);
    assert.ok(allContainers(decision.pod).every((c) => c.env === undefined));
  });
});

describe("ca-trust – config guards against self-denial", () => {
  // Were these accepted, the first round would mount the CA there and a reinvocation would deny the same pod.
  test("caTrust.mountDir, overlay paths and registry paths that the builds-dir guard denies are config errors", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ caTrust: { mountDir: "/etc" } }, "caTrust.mountDir"],
      [{ caTrust: { mountDir: "/dev/ci-ca" } }, "caTrust.mountDir"],
      [{ caTrust: { overlaySystemPaths: true, systemBundlePaths: ["/etc/ssl/cert.pem", "/proc/ca.pem"] } }, "caTrust.systemBundlePaths[1]"],
    ];
    for (const [config, field] of cases) {
      const result = validateConfig(config);
      assert.equal(result.ok, false, JSON.stringify(config));
      if (!result.ok) assert.ok(result.errors.some((e) => e.startsWith(`${field}: `)), result.errors.join("; "));
    }
  });

  test("the same paths are fine once the guard allows them or is off", () => {
    assert.equal(validateConfig({ caTrust: { mountDir: "/dev/ci-ca" }, buildsDir: { allowedPaths: ["/dev/shm", "/dev/ci-ca"] } }).ok, true);
    assert.equal(validateConfig({ caTrust: { mountDir: "/etc" }, buildsDir: { enabled: false } }).ok, true);
  });

  test("with the default config, a mutated pod is never denied on reinvocation", () => {
    const config = configWith({ caTrust: { overlaySystemPaths: true, dockerRegistries: ["registry.example.com:5000"] } });
    const first = admitPod(gitlabPod(), { config });
    const again = first.kind === "mutated" ? admitPod(first.pod, { config }) : first;
    assert.notEqual(again.kind, "denied", describeDecision(again));
  });
});
