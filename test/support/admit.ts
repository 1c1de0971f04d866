/** Runs the real admission core on a pod, the way the webhook server does. */
import { admit, type AdmitDeps } from "../../src/admission/admit.js";
import type { Decision } from "../../src/admission/decision.js";
import type { AdmissionRequest } from "../../src/admission/request.js";
import type { Config } from "../../src/config/schema.js";
import type { Pod } from "../../src/k8s/pod.js";
import { configWith } from "./config.js";
import { podCreateRequest } from "./requests.js";

export interface AdmitOptions {
  config?: Config;
  /** Whether the CA ConfigMap exists; omitted: the core assumes it does. */
  caBundlePresent?: boolean;
  request?: Partial<AdmissionRequest>;
}

/** `admit(podCreateRequest(pod), deps)` with the default config unless one is given. */
export function admitPod(pod: unknown, opts: AdmitOptions = {}): Decision {
  const deps: AdmitDeps = { config: opts.config ?? configWith({}) };
  if (opts.caBundlePresent !== undefined) {
    const present = opts.caBundlePresent;
    deps.caBundlePresent = () => present;
  }
  return admit(podCreateRequest(pod, opts.request), deps);
}

/** Narrows a decision to `mutated`, failing with the decision's summary otherwise. */
export function expectMutated(decision: Decision): Extract<Decision, { kind: "mutated" }> {
  if (decision.kind !== "mutated") throw new Error(`expected a mutated decision, got ${describe(decision)}`);
  return decision;
}

/** The pod a decision admits: the mutated pod, or the input unchanged. */
export function admittedPod(decision: Decision, input: Pod): Pod {
  return decision.kind === "mutated" ? decision.pod : input;
}

export function describe(decision: Decision): string {
  const { kind } = decision;
  if (kind === "skipped" || kind === "unchanged") return `${kind} (${decision.reason})`;
  if (kind === "denied") return `denied ${decision.code}: ${decision.message}`;
  if (kind === "error") return `error ${decision.code}: ${decision.error.message}`;
  return `mutated (${decision.applied.join(", ")})`;
}
