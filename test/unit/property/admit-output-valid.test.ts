/**
 * The pod the API server ends up with is one it accepts: the kubernetes-models schema, plus the rules a
 * mutation can break (unique volume names, unique mountPath per container, mounts naming existing volumes,
 * DNS-1123 volume names, valid hostAliases, resolver limits) and the webhook's own promises: exactly one
 * ndots, and never a second entry for a docker alias hostname.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Pod } from "../../../src/k8s/pod.js";
import { admitPod, explain, outputPod } from "./support/admit-helpers.js";
import { countNdots, podRuleViolations, withinDnsLimits } from "./support/pod-rules.js";
import { params } from "./support/runs.js";
import { scenarioArb } from "./support/scenario.js";

test("generators – every generated pod (fresh or reinvoked) passes the checks the output is held to", () => {
  fc.assert(
    fc.property(scenarioArb, ({ generated: { pod } }) => {
      assert.deepStrictEqual(podRuleViolations(pod, { dnsLimits: withinDnsLimits(pod) }), []);
    }),
    params(500),
  );
});

test("admit – the resulting pod passes schema and API-server validation", () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const input = s.generated.pod;
      const decision = admitPod(input, s);
      const violations = podRuleViolations(outputPod(input, decision), { dnsLimits: withinDnsLimits(input) });
      assert.deepStrictEqual(violations, [], explain(decision));
    }),
    params(1000),
  );
});

test("admit – the resulting pod has exactly one ndots when the config wants one and the pod had at most one", () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const { config } = s.cfg;
      const input = s.generated.pod;
      const decision = admitPod(input, s);
      const applies = config.dns.enabled && config.dns.options.some((o) => o.name === "ndots") && countNdots(input) <= 1;
      if (!applies || config.mode === "audit" || !(decision.kind === "mutated" || decision.kind === "unchanged")) return;
      assert.equal(countNdots(outputPod(input, decision)), 1, explain(decision));
    }),
    params(800),
  );
});

test("admit – never adds a second hostAliases entry for a hostname, nor remaps one", () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const input = s.generated.pod;
      const decision = admitPod(input, s);
      const output = outputPod(input, decision);
      for (const hostname of s.cfg.config.dockerHostAlias.hostnames) {
        const before = entriesFor(input, hostname);
        const after = entriesFor(output, hostname);
        assert.ok(after.length <= Math.max(1, before.length), `${hostname} mapped ${after.length} times: ${explain(decision)}`);
        if (before.length > 0) assert.deepStrictEqual(after, before, `existing ${hostname} mapping changed`);
      }
    }),
    params(800),
  );
});

function entriesFor(pod: Pod, hostname: string): string[] {
  return (pod.spec?.hostAliases ?? []).filter((a) => a.hostnames?.includes(hostname)).map((a) => a.ip);
}
