/** Operator-defined selectors (`detectors.custom`) for any other CI system. */
import type { CiSystemMatch, Detector } from "../ci-system.js";

/** Matches the first custom selector whose every label and annotation equals the pod's. */
export const detectCustom: Detector = (pod, config) => {
  for (const selector of config.detectors.custom) {
    if (matches(pod.metadata?.labels, selector.matchLabels) && matches(pod.metadata?.annotations, selector.matchAnnotations)) {
      const match: CiSystemMatch = { system: `custom:${selector.name}`, marker: `custom selector ${selector.name}`, identifiers: {} };
      return match;
    }
  }
  return undefined;
};

function matches(actual: Record<string, string> | undefined, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([key, value]) => actual?.[key] === value);
}
