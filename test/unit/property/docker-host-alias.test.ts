/**
 * The docker host alias (research/ci-pod-shapes.md, trap 5): with a DinD daemon in the pod (or
 * `when: always`) every configured hostname resolves afterwards; without one, hostAliases are left alone.
 * DinD-ness comes from the generator's labelled vocabulary, not from src/mutators/dind.ts.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Pod } from "../../../src/k8s/pod.js";
import { DIND_IMAGES, DOCKERD_WORDS } from "./arbitraries/containers.js";
import { admitPod, explain, outputPod } from "./support/admit-helpers.js";
import { params } from "./support/runs.js";
import { scenarioArb } from "./support/scenario.js";

function hasDind(pod: Pod): boolean {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].some(
    (c) => DIND_IMAGES.has(c.image ?? "") || [...(c.command ?? []), ...(c.args ?? [])].some((w) => DOCKERD_WORDS.has(w)),
  );
}

test("docker-host-alias – maps every configured hostname when DinD runs (or when: always), and nothing otherwise", () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const { config } = s.cfg;
      const input = s.generated.pod;
      const decision = admitPod(input, s);
      const effective = decision.kind === "mutated" || (decision.kind === "unchanged" && !decision.audit);
      if (!effective || !config.dockerHostAlias.enabled) return;
      const output = outputPod(input, decision);
      if (config.dockerHostAlias.when === "always" || hasDind(input)) {
        const mapped = new Set((output.spec?.hostAliases ?? []).flatMap((a) => a.hostnames ?? []));
        for (const hostname of config.dockerHostAlias.hostnames) assert.ok(mapped.has(hostname), `${hostname} unmapped: ${explain(decision)}`);
      } else {
        assert.deepStrictEqual(output.spec?.hostAliases, input.spec?.hostAliases, `alias added without DinD: ${explain(decision)}`);
      }
    }),
    params(800),
  );
});
