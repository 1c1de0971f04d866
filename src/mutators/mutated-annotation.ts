/**
 * Records what was applied in `ci-pod-webhook.io/mutated`: the sorted union of mutator names from this and
 * earlier rounds, so a reinvocation that applies nothing new leaves it as it is. A record only: the
 * mutators decide from the pod itself, never from this annotation.
 */
import type { Pod } from "../k8s/pod.js";

export const MUTATED_ANNOTATION = "ci-pod-webhook.io/mutated";

export function recordMutations(pod: Pod, applied: readonly string[]): Pod {
  if (applied.length === 0) return pod;
  const annotations = pod.metadata?.annotations ?? {};
  const earlier = (annotations[MUTATED_ANNOTATION] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const union = [...new Set([...earlier, ...applied])].sort().join(",");
  if (annotations[MUTATED_ANNOTATION] === union) return pod;
  return { ...pod, metadata: { ...pod.metadata, annotations: { ...annotations, [MUTATED_ANNOTATION]: union } } };
}
