/** One generated case (pod, config, CA presence) and the AdmissionRequest that carries it. */
import fc from "fast-check";
import type { AdmissionRequest } from "../../../../src/admission/request.js";
import type { Pod } from "../../../../src/k8s/pod.js";
import { admit } from "../../../../src/admission/admit.js";
import { configArbFor, type GeneratedConfig } from "../arbitraries/config.js";
import { applyOtherWebhook, changesArb } from "../arbitraries/reinvoked.js";
import { podArb, type GeneratedPod } from "../arbitraries/pod.js";

export interface Scenario {
  generated: GeneratedPod;
  cfg: GeneratedConfig;
  caBundlePresent: boolean;
}

/** A pod and a config; the config is drawn knowing the pod's CI kind, so custom detectors match often. */
export const freshScenarioArb: fc.Arbitrary<Scenario> = podArb.chain((generated) =>
  fc.record({
    generated: fc.constant(generated),
    cfg: configArbFor(generated.kind),
    caBundlePresent: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  }),
);

/**
 * The pod this webhook produced for a fresh scenario, then changed by another webhook: the input of a
 * reinvocation. Falls back to the fresh pod when the first pass did not mutate.
 */
export const reinvokedScenarioArb: fc.Arbitrary<Scenario> = fc
  .tuple(freshScenarioArb, changesArb)
  .map(([s, changes]) => {
    const first = admit(createRequest(s.generated.pod), { config: s.cfg.config, caBundlePresent: () => s.caBundlePresent });
    if (first.kind !== "mutated") return s;
    const pod = applyOtherWebhook(first.pod, s.cfg.config, changes);
    return { ...s, generated: { kind: s.generated.kind, pod, reinvoked: changes.changes } };
  });

export const scenarioArb: fc.Arbitrary<Scenario> = fc.oneof(
  { weight: 3, arbitrary: freshScenarioArb },
  { weight: 1, arbitrary: reinvokedScenarioArb },
);

/** A pod CREATE as the API server sends it; the object is a fresh JSON copy, as decoded from the wire. */
export function createRequest(pod: Pod): AdmissionRequest {
  return {
    uid: "0b6f0d52-8a43-4c61-9b7e-2f4d1c9e5a37",
    kind: { group: "", version: "v1", kind: "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    operation: "CREATE",
    ...(pod.metadata?.namespace ? { namespace: pod.metadata.namespace } : {}),
    ...(pod.metadata?.name ? { name: pod.metadata.name } : {}),
    object: JSON.parse(JSON.stringify(pod)) as unknown,
  };
}
