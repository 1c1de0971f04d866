/**
 * Minimal counterexamples the property tests found, kept as literal cases so they stay fixed whatever the
 * generators draw. Each names the property, seed and path that found it (PROPERTY_SEED=<seed> replays a
 * seed, but only with the generators as they were then; the literal pod is what counts). Cases marked
 * `todo` are real findings outside the admission core (config validation): they fail, reported as TODO,
 * until the owner fixes them; then drop the `todo` option.
 */
import { validateConfig } from "../../../src/config/load-config.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import { admitPod, applyJsonPatch, explain, outputPod } from "./support/admit-helpers.js";
import { literalScenario } from "./support/literal.js";
import { podRuleViolations } from "./support/pod-rules.js";

const gitlabMetadata = {
  name: "ci-job-pod-1",
  creationTimestamp: null,
  labels: { "job.runner.gitlab.com/pod": "runner-t3xq9zk2a-project-4242-concurrent-0", pod: "runner-t3xq9zk2a-project-4242-concurrent-0" },
  annotations: { "job.runner.gitlab.com/id": "987654" },
};

// admit-preserves.test.ts, "a pod it must not act on ... is skipped", seed 1468596942,
// path "84:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:1:1:0:0".
// A GitLab Windows job selecting its node by build number only was mutated with Linux CA paths and ndots.
// Fixed in src/classify/skip-reasons.ts: `node.kubernetes.io/windows-build` marks a Windows pod.
test("regression – a nodeSelector on node.kubernetes.io/windows-build alone marks a Windows pod: skipped", () => {
  const s = literalScenario("gitlab", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: gitlabMetadata,
    spec: { nodeSelector: { "node.kubernetes.io/windows-build": "10.0.20348" }, containers: [{ name: "a", image: "docker:27-dind" }] },
  });
  const decision = admitPod(s.generated.pod, s);
  assert.equal(decision.kind, "skipped", explain(decision));
});

const jenkinsDind = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "agent-1", labels: { "jenkins/label-digest": "0e3f" } },
  spec: { containers: [{ name: "dind", image: "docker:27-dind" }] },
};

/** Configs the webhook cannot serve correctly are refused at load, naming the field. */
function assertConfigRefused(raw: Record<string, unknown>, field: string): void {
  const result = validateConfig(raw);
  assert.equal(result.ok, false, `accepted: ${JSON.stringify(raw)}`);
  if (!result.ok) assert.ok(result.errors.some((e) => e.startsWith(`${field}`)), result.errors.join("; "));
}

// Found by exploring configs outside the generator's range: a CA mount target that the builds-dir guard
// refuses made the webhook deny its own output when reinvoked (reinvocationPolicy: IfNeeded). Now a config error.
test("finding – CA overlay under a denied tree is refused by config", () => {
  assertConfigRefused({ caTrust: { overlaySystemPaths: true }, buildsDir: { deniedTrees: ["/proc", "/sys", "/dev", "/etc/ssl"] } }, "caTrust.systemBundlePaths[0]");
});

test("finding – caTrust.mountDir inside a denied tree is refused by config", () => {
  assertConfigRefused({ caTrust: { mountDir: "/dev/ci-ca" } }, "caTrust.mountDir");
});

test("finding – registry CA under a denied tree is refused by config", () => {
  assertConfigRefused({ caTrust: { dockerRegistries: ["registry.example.com"] }, buildsDir: { deniedTrees: ["/etc/docker"] } }, "caTrust.dockerRegistries[0]");
});

// node:net isIP accepts an IPv6 zone ("fe80::1%eth0"); the API server's net.ParseIP does not, so every
// mutated DinD pod would be rejected with "spec.hostAliases[n].ip: Invalid value".
test("finding – dockerHostAlias.ip with an IPv6 zone is refused by config", () => {
  assertConfigRefused({ dockerHostAlias: { ip: "fe80::1%eth0" } }, "dockerHostAlias.ip");
});

// Kubernetes' IsConfigMapKey rejects ".", ".." and any "..x" prefix; with overlaySystemPaths the key becomes
// a subPath, and a subPath of ".." is rejected by the API.
test("finding – caTrust.key '.', '..' and '..x' are refused by config", () => {
  for (const key of [".", "..", "..data"]) assertConfigRefused({ caTrust: { key } }, "caTrust.key");
});

test("valid IPv6 alias and ordinary keys still produce valid pods", () => {
  const s = literalScenario("jenkins", jenkinsDind, { dockerHostAlias: { ip: "::1" }, caTrust: { key: "bundle.pem", overlaySystemPaths: true } });
  const decision = admitPod(s.generated.pod, s);
  assert.equal(decision.kind, "mutated", explain(decision));
  assert.deepStrictEqual(applyJsonPatch(s.generated.pod, decision.patch), decision.pod);
  assert.deepStrictEqual(podRuleViolations(decision.pod, { dnsLimits: true }), []);
});
