/**
 * The invariant guard: hand-broken "mutated" pods must be caught, and a broken mutator must turn into an
 * INVARIANT_VIOLATION error decision that follows onInternalError.
 */
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { admit } from "../../src/admission/admit.js";
import type { Pod } from "../../src/k8s/pod.js";
import { assertInvariants, InvariantViolation } from "../../src/mutators/invariants.js";
import { MUTATED_ANNOTATION } from "../../src/mutators/mutated-annotation.js";
import { MUTATORS } from "../../src/mutators/pipeline.js";
import type { NamedMutator } from "../../src/mutators/types.js";
import { admitPod, expectMutated } from "../support/admit.js";
import { configWith } from "../support/config.js";
import { loadFixture } from "../support/fixtures.js";
import { podCreateRequest } from "../support/requests.js";

const noOverride = { dnsOverride: false };

/** The webhook's real output for a fixture, as the starting point for breaking it by hand. */
function mutatedFixture(name: string): { original: Pod; mutated: Pod } {
  const original = loadFixture(name);
  return { original, mutated: structuredClone(expectMutated(admitPod(original)).pod) };
}

describe("assertInvariants – the webhook's own output passes", () => {
  for (const name of ["gitlab-attach-dind", "jenkins-agent-dind", "arc-ephemeral-runner-dind", "tekton-taskrun-dind"]) {
    test(`invariants – ${name} mutated by the pipeline passes`, () => {
      const { original, mutated } = mutatedFixture(name);
      assert.doesNotThrow(() => assertInvariants(original, mutated, noOverride));
    });
  }
  test("invariants – the identical object passes", () => {
    const pod = loadFixture("tekton-taskrun-dind");
    assert.doesNotThrow(() => assertInvariants(pod, pod, noOverride));
  });
  test("invariants – changing only ci-pod-webhook.io/mutated passes", () => {
    const { original, mutated } = mutatedFixture("tekton-taskrun-dind");
    mutated.metadata!.annotations![MUTATED_ANNOTATION] = "something-else";
    assert.doesNotThrow(() => assertInvariants(original, mutated, noOverride));
  });
  test("invariants – replacing a dns option passes only with dns.override", () => {
    const original = loadFixture("gitlab-attach-dind");
    original.spec!.dnsConfig = { options: [{ name: "ndots", value: "5" }] };
    const mutated = structuredClone(original);
    mutated.spec!.dnsConfig!.options![0]!.value = "2";
    assert.doesNotThrow(() => assertInvariants(original, mutated, { dnsOverride: true }));
    assert.throws(() => assertInvariants(original, mutated, noOverride), InvariantViolation);
  });
});

describe("assertInvariants – hand-broken pods are caught", () => {
  const breakages: [name: string, fixture: string, breakIt: (pod: Pod) => void, where: RegExp][] = [
    ["changed image", "gitlab-attach-dind", (p) => { p.spec!.containers[0]!.image = "docker:28-cli"; }, /containers\[0\]\.image/],
    ["changed init container image", "arc-ephemeral-runner-dind", (p) => { p.spec!.initContainers![1]!.image = "docker:28-dind"; }, /initContainers\[1\]\.image/],
    ["changed command", "jenkins-agent-dind", (p) => { p.spec!.containers[0]!.command = ["sleep", "infinity"]; }, /command/],
    ["changed args", "tekton-taskrun-dind", (p) => { p.spec!.containers[0]!.args!.pop(); }, /args/],
    ["stdin turned off (GitLab attach writes to PID 1's stdin)", "gitlab-attach-dind", (p) => { p.spec!.containers[0]!.stdin = false; }, /stdin/],
    ["tty turned on", "gitlab-attach-dind", (p) => { p.spec!.containers[1]!.tty = true; }, /tty/],
    ["changed workingDir", "tekton-taskrun-dind", (p) => { p.spec!.containers[0]!.workingDir = "/workspace"; }, /workingDir/],
    ["native sidecar restartPolicy removed", "arc-ephemeral-runner-dind", (p) => { delete p.spec!.initContainers![1]!.restartPolicy; }, /restartPolicy/],
    ["changed terminationMessagePath (Tekton step results)", "tekton-taskrun-dind", (p) => { p.spec!.containers[0]!.terminationMessagePath = "/dev/termination-log"; }, /terminationMessagePath/],
    ["changed securityContext", "jenkins-agent-dind", (p) => { p.spec!.containers[1]!.securityContext = { privileged: false }; }, /securityContext/],
    ["reordered env", "jenkins-agent-dind", (p) => { p.spec!.containers[2]!.env!.reverse(); }, /env/],
    ["changed env value", "jenkins-agent-dind", (p) => { p.spec!.containers[2]!.env![0]!.value = "x"; }, /env\[0\]/],
    ["removed env var", "arc-ephemeral-runner-dind", (p) => { p.spec!.containers[0]!.env!.splice(0, 1); }, /env/],
    ["reordered volumeMounts", "tekton-taskrun-dind", (p) => { p.spec!.containers[0]!.volumeMounts!.reverse(); }, /volumeMounts/],
    ["removed volume", "tekton-taskrun-dind", (p) => { p.spec!.volumes!.splice(7, 1); }, /spec\.volumes/],
    ["volumes list dropped", "jenkins-agent-dind", (p) => { delete p.spec!.volumes; }, /spec\.volumes/],
    ["removed container", "jenkins-agent-dind", (p) => { p.spec!.containers.splice(1, 1); }, /spec\.containers/],
    ["init containers dropped", "arc-ephemeral-runner-dind", (p) => { delete p.spec!.initContainers; }, /initContainers/],
    ["changed label", "gitlab-attach-dind", (p) => { p.metadata!.labels!["job.runner.gitlab.com/pod"] = "other"; }, /labels/],
    ["added label", "jenkins-agent-dind", (p) => { p.metadata!.labels!["ci-pod-webhook.io/seen"] = "true"; }, /labels/],
    ["removed another annotation", "tekton-taskrun-dind", (p) => { delete p.metadata!.annotations!["pipeline.tekton.dev/release"]; }, /annotations/],
    ["reordered hostAliases", "gitlab-attach-dind", (p) => { p.spec!.hostAliases!.unshift({ ip: "10.0.0.1", hostnames: ["x"] }); }, /hostAliases/],
    ["changed dnsPolicy", "gitlab-attach-dind", (p) => { p.spec!.dnsPolicy = "Default"; }, /dnsPolicy/],
    ["hostNetwork turned on", "jenkins-agent-dind", (p) => { p.spec!.hostNetwork = true; }, /hostNetwork/],
    ["pod restartPolicy changed", "tekton-taskrun-dind", (p) => { p.spec!.restartPolicy = "OnFailure"; }, /restartPolicy/],
    ["nodeSelector changed", "jenkins-agent-dind", (p) => { p.spec!.nodeSelector = {}; }, /nodeSelector/],
  ];
  for (const [name, fixture, breakIt, where] of breakages) {
    test(`invariants – ${name} throws InvariantViolation naming the field`, () => {
      const { original, mutated } = mutatedFixture(fixture);
      breakIt(mutated);
      assert.throws(() => assertInvariants(original, mutated, noOverride), (err: unknown) => {
        assert.ok(err instanceof InvariantViolation, String(err));
        assert.match(err.message, where);
        return true;
      });
    });
  }
  test("invariants – nameservers and searches may not change even with dns.override", () => {
    const original = loadFixture("gitlab-attach-dind");
    original.spec!.dnsConfig = { nameservers: ["10.96.0.10"], searches: ["a.example"] };
    const mutated = structuredClone(original);
    mutated.spec!.dnsConfig!.nameservers!.push("1.1.1.1");
    assert.throws(() => assertInvariants(original, mutated, { dnsOverride: true }), /nameservers/);
    const mutated2 = structuredClone(original);
    mutated2.spec!.dnsConfig!.searches = [];
    assert.throws(() => assertInvariants(original, mutated2, { dnsOverride: true }), /searches/);
  });
  test("invariants – the message names the field, never the value (no JENKINS_SECRET)", () => {
    const { original, mutated } = mutatedFixture("jenkins-agent-dind");
    const secret = original.spec!.containers[2]!.env![0]!.value!;
    mutated.spec!.containers[2]!.env![0]!.value = "NEW-SECRET-VALUE";
    assert.throws(() => assertInvariants(original, mutated, noOverride), (err: Error) => !err.message.includes(secret) && !err.message.includes("NEW-SECRET-VALUE"));
  });
});

describe("admit – a broken mutator becomes an error decision", () => {
  // Seam: the pipeline runs the exported MUTATORS list; a test appends a rogue mutator and removes it after.
  const list = MUTATORS as NamedMutator[];
  const original = [...list];
  afterEach(() => list.splice(0, list.length, ...original));

  const imageChanger: NamedMutator = {
    name: "dns",
    enabled: () => true,
    run: (pod) => {
      const containers = (pod.spec?.containers ?? []).map((c, i) => (i === 0 ? { ...c, image: "evil:latest" } : c));
      return { kind: "mutated", pod: { ...pod, spec: { ...pod.spec!, containers } }, changes: ["rogue"] };
    },
  };
  const thrower: NamedMutator = { name: "dns", enabled: () => true, run: () => { throw new TypeError("boom"); } };

  test("broken mutator – onInternalError allow: kind error, code INVARIANT_VIOLATION, allowed with a warning", () => {
    list.push(imageChanger);
    const decision = admit(podCreateRequest(loadFixture("jenkins-agent-dind")), { config: configWith({ onInternalError: "allow" }) });
    assert.equal(decision.kind, "error");
    assert.ok(decision.kind === "error");
    assert.equal(decision.code, "INVARIANT_VIOLATION");
    assert.equal(decision.allowed, true);
    assert.ok(decision.error instanceof InvariantViolation);
    assert.ok(decision.warnings.some((w) => w.includes("INVARIANT_VIOLATION")));
    assert.equal(decision.ci?.system, "jenkins");
    assert.ok(!("patch" in decision));
  });
  test("broken mutator – onInternalError deny: kind error, INVARIANT_VIOLATION, not allowed", () => {
    list.push(imageChanger);
    const decision = admit(podCreateRequest(loadFixture("jenkins-agent-dind")), { config: configWith({ onInternalError: "deny" }) });
    assert.ok(decision.kind === "error");
    assert.equal(decision.code, "INVARIANT_VIOLATION");
    assert.equal(decision.allowed, false);
  });
  test("throwing mutator – kind error with code INTERNAL_ERROR, never a throw out of admit", () => {
    list.push(thrower);
    const decision = admit(podCreateRequest(loadFixture("tekton-taskrun-dind")), { config: configWith({}) });
    assert.ok(decision.kind === "error");
    assert.equal(decision.code, "INTERNAL_ERROR");
    assert.equal(decision.allowed, true);
    assert.match(decision.error.message, /boom/);
  });
  test("broken mutator – a non-CI pod never reaches the pipeline, so it is still skipped", () => {
    list.push(thrower);
    assert.equal(admit(podCreateRequest(loadFixture("plain-nginx")), { config: configWith({}) }).kind, "skipped");
  });
  test("seam restored – the real pipeline is back after the rogue tests", () => {
    assert.equal(list.length, original.length);
    assert.equal(admitPod(loadFixture("jenkins-agent-dind")).kind, "mutated");
  });
});
