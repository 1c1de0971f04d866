/** Why a CI pod is left alone anyway: opted out, or a Windows pod. */
import type { Config } from "../config/schema.js";
import type { Pod } from "../k8s/pod.js";

export const SKIP_ANNOTATION = "ci-pod-webhook.io/skip";
const OS_LABELS = ["kubernetes.io/os", "beta.kubernetes.io/os"];
const WINDOWS_BUILD_LABEL = "node.kubernetes.io/windows-build";

/** The reason to leave this pod alone, or undefined. Annotations can only make the webhook do less. */
export function findSkipReason(pod: Pod, config: Config): string | undefined {
  if (config.honourSkipAnnotation && pod.metadata?.annotations?.[SKIP_ANNOTATION] === "true") {
    return `opted out: annotation ${SKIP_ANNOTATION}=true`;
  }
  if (isWindowsPod(pod)) return "Windows pod: Linux paths and resolver options do not apply";
  return undefined;
}

/**
 * `spec.os.name: windows`, or a Windows nodeSelector (GA or beta label, or GitLab's
 * `node.kubernetes.io/windows-build`, a label only Windows nodes carry).
 */
export function isWindowsPod(pod: Pod): boolean {
  if (pod.spec?.os?.name === "windows") return true;
  const selector = pod.spec?.nodeSelector;
  if (selector && Object.hasOwn(selector, WINDOWS_BUILD_LABEL)) return true;
  return OS_LABELS.some((label) => selector?.[label] === "windows");
}
