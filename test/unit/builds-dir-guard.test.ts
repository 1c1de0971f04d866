/**
 * builds-dir-guard: denies volumes mounted at or over system directories (the `/dev` builds_dir incident),
 * and lets every legitimate CI mount through.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { findSystemPathMounts, isSystemPath } from "../../src/mutators/builds-dir-guard.js";
import { normaliseMountPath } from "../../src/mutators/mount-path.js";
import type { Pod, Volume } from "../../src/k8s/pod.js";
import { admitPod, describe as describeDecision } from "../support/admit.js";
import { configWith } from "../support/config.js";
import { loadFixture } from "../support/fixtures.js";
import { container, gitlabPod, labelledPod } from "../support/pods.js";

const rules = configWith({}).buildsDir;
const denied = (path: string) => isSystemPath(normaliseMountPath(path), rules);

/** A GitLab pod whose build container mounts `volume` at `mountPath`. */
function podMounting(mountPath: string, volume: Volume = { name: "extra", emptyDir: {} }): Pod {
  return gitlabPod({
    volumes: [volume],
    containers: [container("build", "alpine:3.20", { volumeMounts: [{ name: volume.name, mountPath }] }), container("helper")],
  });
}

describe("builds-dir-guard – system paths are denied after normalisation", () => {
  for (const path of ["/dev", "//dev", "/dev/", "/builds/../proc", "dev", "/proc", "/sys", "/etc", "/usr", "/var", "/", "/bin", "/lib64", "/proc/sys/x", "/sys/kernel/debug", "/dev/mqueue"]) {
    test(`builds-dir-guard – denies a volume at ${JSON.stringify(path)}`, () => {
      assert.equal(denied(path), true);
      const decision = admitPod(podMounting(path));
      assert.equal(decision.kind, "denied", describeDecision(decision));
      assert.equal(decision.kind === "denied" && decision.code, "BUILDS_DIR_SYSTEM_PATH");
    });
  }
});

describe("builds-dir-guard – legitimate CI mounts pass", () => {
  const legit: [path: string, volume?: Volume][] = [
    ["/var/run"],
    ["/run"],
    ["/var/run/docker.sock", { name: "docker-sock", hostPath: { path: "/var/run/docker.sock" } }],
    ["/var/lib/docker"],
    ["/certs/client"],
    ["/etc/ssl/certs/x.pem", { name: "ca", configMap: { name: "company-ca" } }],
    ["/dev/shm", { name: "dshm", emptyDir: { medium: "Memory" } }],
    ["/dev/shm/x"],
    ["/tmp"],
    ["/home/jenkins/agent"],
    ["/workspace"],
    ["/tekton/results"],
    ["/builds"],
    ["/var/run/secrets/kubernetes.io/serviceaccount", { name: "kube-api-access-abcde", projected: { sources: [] } }],
    ["/devices"],
    ["/usr/local/share/ca-certificates"],
  ];
  for (const [path, volume] of legit) {
    test(`builds-dir-guard – admits a volume at ${path}`, () => {
      assert.equal(denied(path), false);
      const decision = admitPod(podMounting(path, volume));
      assert.equal(decision.kind, "mutated", describeDecision(decision));
    });
  }

  test("builds-dir-guard – terminationMessagePath /dev/termination-log is not a mount", () => {
    const pod = gitlabPod({ containers: [container("build", "alpine:3.20", { terminationMessagePath: "/dev/termination-log" }), container("helper")] });
    assert.deepEqual(findSystemPathMounts(pod, rules), []);
    assert.equal(admitPod(pod).kind, "mutated");
  });

  test("builds-dir-guard – every shared fixture except builds-dir-dev has no offending mount", () => {
    for (const name of ["gitlab-attach-dind", "jenkins-agent-dind", "arc-ephemeral-runner-dind", "tekton-taskrun-dind", "plain-nginx"]) {
      assert.deepEqual(findSystemPathMounts(loadFixture(name), rules), [], name);
    }
  });
});

describe("builds-dir-guard – the denial explains itself", () => {
  const decision = admitPod(loadFixture("gitlab-builds-dir-dev"));

  test("builds-dir-dev – denied with code BUILDS_DIR_SYSTEM_PATH", () => {
    assert.equal(decision.kind, "denied");
    assert.equal(decision.kind === "denied" && decision.code, "BUILDS_DIR_SYSTEM_PATH");
  });
  test("builds-dir-dev – message names the first offender init-permissions, volume repo, path /dev and the builds_dir fix", () => {
    assert.ok(decision.kind === "denied");
    for (const part of ['"init-permissions"', '"repo"', '"/dev"', "builds_dir", "/builds"]) {
      assert.ok(decision.message.includes(part), `message lacks ${part}: ${decision.message}`);
    }
  });
  test("builds-dir-dev – all three offending mounts are found, init container first", () => {
    const found = findSystemPathMounts(loadFixture("gitlab-builds-dir-dev"), rules);
    assert.deepEqual(found.map((m) => m.container), ["init-permissions", "build", "helper"]);
    assert.ok(found.every((m) => m.volume === "repo" && m.resolved === "/dev"));
  });
  test("builds-dir-dev – the empty metadata.name (generateName, runner 16.1) does not crash", () => {
    const pod = loadFixture("gitlab-builds-dir-dev");
    assert.equal(pod.metadata?.name, undefined);
    assert.equal(admitPod(pod, { request: { name: "" } }).kind, "denied");
  });
  test("denial – an unnormalised path is shown as written and as resolved", () => {
    const d = admitPod(podMounting("/builds/../proc"));
    assert.ok(d.kind === "denied");
    assert.ok(d.message.includes('"/builds/../proc"') && d.message.includes("/proc"), d.message);
  });
  test("denial – outside GitLab the fix names the volume to move, not builds_dir", () => {
    const pod = labelledPod({ "kubernetes.jenkins.io/controller": "c" }, undefined, [
      container("jnlp", "jenkins/inbound-agent:3355.v388858a_47b_33-3-jdk21", { volumeMounts: [{ name: "workspace-volume", mountPath: "/sys" }] }),
    ]);
    pod.spec!.volumes = [{ name: "workspace-volume", emptyDir: {} }];
    const d = admitPod(pod);
    assert.ok(d.kind === "denied");
    assert.ok(d.message.includes('"jnlp"') && d.message.includes('"workspace-volume"') && !d.message.includes("builds_dir"), d.message);
  });
  test("denial – runs before any mutation: no patch, nothing applied", () => {
    assert.ok(!("patch" in decision));
    assert.deepEqual(decision.kind === "denied" && decision.reports.filter((r) => r.action === "applied"), []);
  });
});

describe("builds-dir-guard – configuration", () => {
  test("buildsDir.action warn – admits builds-dir-dev with a warning that names the mount, and still mutates", () => {
    const decision = admitPod(loadFixture("gitlab-builds-dir-dev"), { config: configWith({ buildsDir: { action: "warn" } }) });
    assert.equal(decision.kind, "mutated", describeDecision(decision));
    assert.ok(decision.kind === "mutated");
    const warning = decision.warnings.find((w) => w.includes("BUILDS_DIR_SYSTEM_PATH"));
    assert.ok(warning && warning.includes('"repo"') && warning.includes("/dev"), JSON.stringify(decision.warnings));
    assert.ok(decision.reports.some((r) => r.name === "builds-dir-guard" && r.action === "warned"));
  });
  test("buildsDir.enabled false – builds-dir-dev is admitted without a warning", () => {
    const decision = admitPod(loadFixture("gitlab-builds-dir-dev"), { config: configWith({ buildsDir: { enabled: false } }) });
    assert.equal(decision.kind, "mutated");
    assert.ok(decision.kind === "mutated" && !decision.warnings.some((w) => w.includes("BUILDS_DIR")));
  });
  test("buildsDir.allowedPaths – an operator can allow /dev/fuse while /dev stays denied", () => {
    const config = configWith({ buildsDir: { allowedPaths: ["/dev/shm", "/dev/fuse"] } });
    const fuse = { name: "fuse", hostPath: { path: "/dev/fuse", type: "CharDevice" } };
    assert.equal(admitPod(podMounting("/dev/fuse", fuse), { config }).kind, "mutated");
    assert.equal(admitPod(podMounting("/dev"), { config }).kind, "denied");
  });
  test("buildsDir.deniedPaths – exact paths only: /var is denied, /var/lib/docker is not", () => {
    assert.equal(denied("/var"), true);
    assert.equal(denied("/var/lib/docker"), false);
  });
  test("buildsDir.deniedTrees – /proc/sys/x is denied as part of the /proc tree", () => {
    assert.equal(denied("/proc/sys/x"), true);
  });
  test("mode audit – builds-dir-dev is admitted unchanged with audit.wouldBe denied", () => {
    const decision = admitPod(loadFixture("gitlab-builds-dir-dev"), { config: configWith({ mode: "audit" }) });
    assert.equal(decision.kind, "unchanged");
    assert.ok(decision.kind === "unchanged");
    assert.deepEqual(decision.audit && { wouldBe: decision.audit.wouldBe, code: "code" in decision.audit ? decision.audit.code : undefined }, { wouldBe: "denied", code: "BUILDS_DIR_SYSTEM_PATH" });
  });
});
