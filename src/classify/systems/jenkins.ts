/** Jenkins kubernetes-plugin agent pods. */
import type { Detector } from "../ci-system.js";
import { hasKey, pickMetadata } from "../ci-system.js";

const MARKERS = ["kubernetes.jenkins.io/controller", "jenkins/label-digest"];

/** The plugin always sets these labels; the cloud's `jenkins=slave` can be replaced by the operator, so it is not used. */
export const detectJenkins: Detector = (pod) => {
  const labels = pod.metadata?.labels;
  const key = MARKERS.find((k) => hasKey(labels, k));
  if (!key) return undefined;
  return {
    system: "jenkins",
    marker: `label ${key}`,
    identifiers: {
      ...pickMetadata(labels, { label: "jenkins/label", controller: "kubernetes.jenkins.io/controller" }),
      ...pickMetadata(pod.metadata?.annotations, { buildUrl: "buildUrl" }),
    },
  };
};
