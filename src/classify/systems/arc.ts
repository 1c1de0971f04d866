/** GitHub Actions Runner Controller pods: gha-runner-scale-set ephemeral runners and legacy summerwind runners. */
import type { Detector } from "../ci-system.js";
import { hasKey, pickMetadata } from "../ci-system.js";

const LEGACY_MARKERS = ["actions-runner", "runner-deployment-name", "runnerset-name"];

export const detectArc: Detector = (pod) => {
  const labels = pod.metadata?.labels;
  let marker: string | undefined;
  if (labels?.["actions-ephemeral-runner"] === "True" && labels["app.kubernetes.io/component"] === "runner") {
    marker = "labels actions-ephemeral-runner=True, app.kubernetes.io/component=runner";
  } else {
    const legacy = LEGACY_MARKERS.find((k) => hasKey(labels, k));
    if (legacy) marker = `label ${legacy}`;
  }
  if (!marker) return undefined;
  return {
    system: "arc",
    marker,
    identifiers: pickMetadata(labels, {
      scaleSet: "actions.github.com/scale-set-name",
      organization: "actions.github.com/organization",
      repository: "actions.github.com/repository",
      runnerDeployment: "runner-deployment-name",
      runnerSet: "runnerset-name",
    }),
  };
};
