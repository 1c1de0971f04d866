/** Runs the admission core on a generated scenario and explains a decision in assertion messages. */
import jsonpatch from "fast-json-patch";
import { admit } from "../../../../src/admission/admit.js";
import type { Decision } from "../../../../src/admission/decision.js";
import type { Pod } from "../../../../src/k8s/pod.js";
import type { PatchOperation } from "../../../../src/patch/diff.js";
import { createRequest, type Scenario } from "./scenario.js";

export const KINDS = ["skipped", "unchanged", "mutated", "denied"] as const;

export function admitPod(pod: Pod, scenario: Pick<Scenario, "cfg" | "caBundlePresent">): Decision {
  return admit(createRequest(pod), { config: scenario.cfg.config, caBundlePresent: () => scenario.caBundlePresent });
}

/** The pod the API server ends up with: the patched pod when mutated, the input otherwise. */
export function outputPod(input: Pod, decision: Decision): Pod {
  return decision.kind === "mutated" ? decision.pod : input;
}

/** RFC 6902 application with operation validation, on a JSON copy of `pod`. */
export function applyJsonPatch(pod: Pod, patch: readonly PatchOperation[]): Pod {
  const copy = JSON.parse(JSON.stringify(pod)) as Pod;
  return jsonpatch.applyPatch(copy, structuredClone(patch) as PatchOperation[], true, true).newDocument;
}

export function explain(decision: Decision): string {
  if (decision.kind === "error") return `error ${decision.code}: ${decision.error.stack ?? decision.error.message}`;
  if (decision.kind === "denied") return `denied ${decision.code}: ${decision.message}`;
  if (decision.kind === "mutated") return `mutated: ${JSON.stringify(decision.patch)}`;
  return `${decision.kind}: ${decision.reason}`;
}
