/**
 * The admission core: a request and a config in, a Decision out. No I/O, no HTTP; the webhook server and
 * the `explain` CLI both call it. Never throws: an internal error becomes an `error` decision that follows
 * `onInternalError`.
 */
import { classifyPod } from "../classify/classify-pod.js";
import type { CiSystemMatch } from "../classify/ci-system.js";
import { findSkipReason } from "../classify/skip-reasons.js";
import type { Config } from "../config/schema.js";
import type { Pod } from "../k8s/pod.js";
import { assertInvariants, InvariantViolation } from "../mutators/invariants.js";
import { recordMutations } from "../mutators/mutated-annotation.js";
import { runPipeline } from "../mutators/pipeline.js";
import { diffPods } from "../patch/diff.js";
import type { Decision } from "./decision.js";
import { isPodCreate, type AdmissionRequest } from "./request.js";

export interface AdmitDeps {
  config: Config;
  /** Whether the CA bundle ConfigMap exists in a namespace. Absent: assume present (no API access). */
  caBundlePresent?: (namespace: string) => boolean;
}

export function admit(req: AdmissionRequest, deps: AdmitDeps): Decision {
  let ci: CiSystemMatch | undefined;
  try {
    if (!isPodCreate(req)) return { kind: "skipped", reason: "not a pod CREATE" };
    const pod = req.object as Pod;
    if (!isObject(pod) || !isObject(pod.spec)) return { kind: "skipped", reason: "object is not a pod with a spec" };
    const classified = classifyPod(pod, deps.config);
    if (!classified.ci) return { kind: "skipped", reason: classified.reason };
    const { ci: _, ...match } = classified;
    ci = match;
    const skip = findSkipReason(pod, deps.config);
    if (skip) return { kind: "skipped", reason: skip, ci };
    return evaluate(pod, req, ci, deps);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    const code = err instanceof InvariantViolation ? "INVARIANT_VIOLATION" : "INTERNAL_ERROR";
    const allowed = deps.config.onInternalError === "allow";
    const warnings = allowed ? [`ci-pod-webhook: internal error (${code}); pod admitted unchanged`] : [];
    return { kind: "error", code, error, allowed, warnings, ...(ci ? { ci } : {}) };
  }
}

function evaluate(pod: Pod, req: AdmissionRequest, ci: CiSystemMatch, deps: AdmitDeps): Decision {
  const { config } = deps;
  const namespace = req.namespace ?? pod.metadata?.namespace ?? "default";
  const caBundlePresent = deps.caBundlePresent ? deps.caBundlePresent(namespace) : true;
  const result = runPipeline(pod, { config, namespace, system: ci.system, caBundlePresent });
  const { reports, warnings } = result;
  const audit = config.mode === "audit";

  if (result.kind === "denied") {
    if (!audit) return { kind: "denied", ci, reports, warnings, code: result.code, message: result.message };
    const wouldDeny = [...warnings, `ci-pod-webhook (audit mode, would deny): ${result.message}`];
    return { kind: "unchanged", ci, reports, warnings: wouldDeny, reason: "audit mode", audit: { wouldBe: "denied", code: result.code, message: result.message } };
  }
  const mutated = recordMutations(result.pod, result.applied);
  assertInvariants(pod, mutated, { dnsOverride: config.dns.override });
  const patch = diffPods(pod, mutated);
  if (patch.length === 0) return { kind: "unchanged", ci, reports, warnings, reason: "nothing to change" };
  if (audit) {
    return { kind: "unchanged", ci, reports, warnings, reason: "audit mode", audit: { wouldBe: "mutated", patchOps: patch.length, applied: result.applied } };
  }
  return { kind: "mutated", ci, reports, warnings, patch, pod: mutated, applied: result.applied };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
