/** Tekton TaskRun pods. */
import type { Detector } from "../ci-system.js";
import { hasKey, pickMetadata } from "../ci-system.js";

/** Tekton forces `app.kubernetes.io/managed-by` (configurable in Tekton, so in our config too) and `tekton.dev/taskRun`. */
export const detectTekton: Detector = (pod, config) => {
  const labels = pod.metadata?.labels;
  const managedBy = config.detectors.tekton.managedBy;
  if (labels?.["app.kubernetes.io/managed-by"] !== managedBy || !hasKey(labels, "tekton.dev/taskRun")) return undefined;
  return {
    system: "tekton",
    marker: `labels app.kubernetes.io/managed-by=${managedBy}, tekton.dev/taskRun`,
    identifiers: pickMetadata(labels, {
      taskRun: "tekton.dev/taskRun",
      pipelineRun: "tekton.dev/pipelineRun",
      task: "tekton.dev/task",
      pipeline: "tekton.dev/pipeline",
    }),
  };
};
