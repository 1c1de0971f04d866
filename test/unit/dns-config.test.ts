/** dns: merges resolver options (default ndots:2) and keeps everything the pod already states. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Pod, PodSpec } from "../../src/k8s/pod.js";
import { applyDnsConfig } from "../../src/mutators/dns-config.js";
import type { MutatorContext } from "../../src/mutators/types.js";
import { admitPod, expectMutated } from "../support/admit.js";
import { configWith, type DeepPartial } from "../support/config.js";
import type { Config } from "../../src/config/schema.js";
import { gitlabPod } from "../support/pods.js";

function ctx(config: DeepPartial<Config> = {}): MutatorContext {
  return { config: configWith(config), namespace: "ci", system: "gitlab", caBundlePresent: true };
}

/** The pod's dnsConfig after the dns mutator alone. */
function dnsAfter(spec: Partial<PodSpec>, config: DeepPartial<Config> = {}): PodSpec["dnsConfig"] {
  const pod = gitlabPod(spec);
  const result = applyDnsConfig(pod, ctx(config));
  if (result.kind === "denied") throw new Error("dns never denies");
  return result.kind === "mutated" ? result.pod.spec?.dnsConfig : pod.spec?.dnsConfig;
}

const ndotsCount = (dns: PodSpec["dnsConfig"]) => (dns?.options ?? []).filter((o) => o.name === "ndots").length;

describe("dns – adding ndots", () => {
  test("dns – a pod without dnsConfig gets options [ndots:2]", () => {
    assert.deepEqual(dnsAfter({}), { options: [{ name: "ndots", value: "2" }] });
  });
  test("dns – existing options are kept, ndots is appended after them", () => {
    const dns = dnsAfter({ dnsConfig: { options: [{ name: "timeout", value: "2" }, { name: "edns0" }] } });
    assert.deepEqual(dns?.options, [{ name: "timeout", value: "2" }, { name: "edns0" }, { name: "ndots", value: "2" }]);
  });
  test("dns – nameservers and searches are kept as they are", () => {
    const dns = dnsAfter({ dnsConfig: { nameservers: ["10.96.0.10", "1.1.1.1"], searches: ["ci.svc.cluster.local", "example.com"] } });
    assert.deepEqual(dns?.nameservers, ["10.96.0.10", "1.1.1.1"]);
    assert.deepEqual(dns?.searches, ["ci.svc.cluster.local", "example.com"]);
    assert.equal(ndotsCount(dns), 1);
  });
  test("dns – several configured options are all added, in config order", () => {
    const dns = dnsAfter({}, { dns: { options: [{ name: "ndots", value: "1" }, { name: "single-request-reopen" }, { name: "timeout", value: "1" }] } });
    assert.deepEqual(dns?.options, [{ name: "ndots", value: "1" }, { name: "single-request-reopen" }, { name: "timeout", value: "1" }]);
  });
});

describe("dns – the pod's ndots wins unless dns.override", () => {
  test("dns – an existing ndots:5 is kept and no second ndots is added", () => {
    const dns = dnsAfter({ dnsConfig: { options: [{ name: "ndots", value: "5" }] } });
    assert.deepEqual(dns?.options, [{ name: "ndots", value: "5" }]);
  });
  test("dns – an existing ndots without a value is kept", () => {
    const dns = dnsAfter({ dnsConfig: { options: [{ name: "ndots" }] } });
    assert.deepEqual(dns?.options, [{ name: "ndots" }]);
  });
  test("dns.override – ndots:5 is replaced in place with ndots:2, exactly one ndots remains", () => {
    const dns = dnsAfter({ dnsConfig: { options: [{ name: "edns0" }, { name: "ndots", value: "5" }, { name: "timeout", value: "3" }] } }, { dns: { override: true } });
    assert.deepEqual(dns?.options, [{ name: "edns0" }, { name: "ndots", value: "2" }, { name: "timeout", value: "3" }]);
    assert.equal(ndotsCount(dns), 1);
  });
  test("dns.override – admit accepts the replacement (no invariant violation) and patches with replace", () => {
    const pod = gitlabPod({ dnsConfig: { options: [{ name: "ndots", value: "5" }] } });
    const decision = expectMutated(admitPod(pod, { config: configWith({ dns: { override: true } }) }));
    assert.ok(decision.patch.some((op) => op.op === "replace" && op.path === "/spec/dnsConfig/options/0/value"));
  });
  test("dns.override – an equal value is left alone (no change reported)", () => {
    const result = applyDnsConfig(gitlabPod({ dnsConfig: { options: [{ name: "ndots", value: "2" }] } }), ctx({ dns: { override: true } }));
    assert.equal(result.kind, "unchanged");
  });
});

describe("dns – dnsPolicy None", () => {
  const none: Partial<PodSpec> = {
    dnsPolicy: "None",
    dnsConfig: { nameservers: ["10.96.0.10"], searches: ["ci.svc.cluster.local"], options: [{ name: "ndots", value: "1" }] },
  };
  test("dnsPolicy None – only absent options are added: ndots:1 stays", () => {
    assert.deepEqual(dnsAfter(none)?.options, [{ name: "ndots", value: "1" }]);
  });
  test("dnsPolicy None – dns.override is ignored: the pod's own resolver config is all it gets", () => {
    assert.deepEqual(dnsAfter(none, { dns: { override: true } })?.options, [{ name: "ndots", value: "1" }]);
  });
  test("dnsPolicy None – an absent ndots is still added; nameservers, searches and the policy are untouched", () => {
    const pod = gitlabPod({ dnsPolicy: "None", dnsConfig: { nameservers: ["10.96.0.10"], searches: ["ci.svc.cluster.local"] } });
    const decision = expectMutated(admitPod(pod));
    assert.equal(decision.pod.spec?.dnsPolicy, "None");
    assert.deepEqual(decision.pod.spec?.dnsConfig, { nameservers: ["10.96.0.10"], searches: ["ci.svc.cluster.local"], options: [{ name: "ndots", value: "2" }] });
  });
});

describe("dns – host networking and policies", () => {
  for (const [hostNetwork, dnsPolicy] of [[true, undefined], [true, "ClusterFirstWithHostNet"], [true, "ClusterFirst"], [false, "Default"]] as const) {
    test(`dns – hostNetwork ${hostNetwork} with dnsPolicy ${dnsPolicy ?? "(unset)"} keeps both unchanged`, () => {
      const pod: Pod = gitlabPod({ hostNetwork, ...(dnsPolicy ? { dnsPolicy } : {}) });
      const decision = expectMutated(admitPod(pod));
      assert.equal(decision.pod.spec?.hostNetwork, hostNetwork);
      assert.equal(decision.pod.spec?.dnsPolicy, dnsPolicy);
      assert.ok(!decision.patch.some((op) => op.path === "/spec/hostNetwork" || op.path === "/spec/dnsPolicy"));
    });
  }
  test("dns.enabled false – dnsConfig is not touched", () => {
    const decision = expectMutated(admitPod(gitlabPod(), { config: configWith({ dns: { enabled: false } }) }));
    assert.equal(decision.pod.spec?.dnsConfig, undefined);
    assert.ok(!decision.applied.includes("dns"));
  });
});
