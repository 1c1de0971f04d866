/**
 * What the webhook should think of a pod, written from the selector table in research/ci-pod-shapes.md
 * ("How to recognise a CI job pod") and its Windows trap, independently of src/classify.
 */
import type { Config } from "../../../../src/config/schema.js";
import type { Pod } from "../../../../src/k8s/pod.js";

export function referenceIsCiPod(pod: Pod, config: Config): boolean {
  const labels = pod.metadata?.labels ?? {};
  const has = (key: string) => Object.hasOwn(labels, key);
  const names = new Set((pod.spec?.containers ?? []).map((c) => c.name));
  const d = config.detectors;
  if (d.gitlab.enabled && (has("job.runner.gitlab.com/pod") || (has("pod") && names.has("build") && names.has("helper")))) return true;
  if (d.jenkins.enabled && (has("kubernetes.jenkins.io/controller") || has("jenkins/label-digest"))) return true;
  if (d.arc.enabled) {
    if (labels["actions-ephemeral-runner"] === "True" && labels["app.kubernetes.io/component"] === "runner") return true;
    if (has("actions-runner") || has("runner-deployment-name") || has("runnerset-name")) return true;
  }
  if (d.tekton.enabled && labels["app.kubernetes.io/managed-by"] === d.tekton.managedBy && has("tekton.dev/taskRun")) return true;
  const annotations = pod.metadata?.annotations ?? {};
  return d.custom.some(
    (c) =>
      Object.entries(c.matchLabels).every(([k, v]) => labels[k] === v) &&
      Object.entries(c.matchAnnotations).every(([k, v]) => annotations[k] === v),
  );
}

/** Windows pods: `spec.os.name`, the OS node labels, or GitLab's `node.kubernetes.io/windows-build` selector. */
export function referenceIsWindowsPod(pod: Pod): boolean {
  const selector = pod.spec?.nodeSelector ?? {};
  return (
    pod.spec?.os?.name === "windows" ||
    selector["kubernetes.io/os"] === "windows" ||
    selector["beta.kubernetes.io/os"] === "windows" ||
    Object.hasOwn(selector, "node.kubernetes.io/windows-build")
  );
}

export function referenceIsOptedOut(pod: Pod, config: Config): boolean {
  return config.honourSkipAnnotation && pod.metadata?.annotations?.["ci-pod-webhook.io/skip"] === "true";
}

/** Whether the webhook may act on the pod at all (change it or deny it). */
export function referenceActsOn(pod: Pod, config: Config): boolean {
  return referenceIsCiPod(pod, config) && !referenceIsWindowsPod(pod) && !referenceIsOptedOut(pod, config);
}
