/** GitLab Runner Kubernetes executor pods. */
import type { Detector } from "../ci-system.js";
import { hasKey, pickMetadata } from "../ci-system.js";

const JOB_POD_LABEL = "job.runner.gitlab.com/pod";

/**
 * Runner >= 17.9 sets `job.runner.gitlab.com/pod` (users cannot set keys in that namespace). Older runners
 * only set the label `pod`, so there we also require the `build` and `helper` containers the executor creates.
 */
export const detectGitlab: Detector = (pod) => {
  const labels = pod.metadata?.labels;
  let marker: string | undefined;
  if (hasKey(labels, JOB_POD_LABEL)) marker = `label ${JOB_POD_LABEL}`;
  else if (hasKey(labels, "pod") && hasBuildAndHelper(pod.spec?.containers)) marker = "label pod with build and helper containers";
  if (!marker) return undefined;
  const annotations = pod.metadata?.annotations;
  return {
    system: "gitlab",
    marker,
    identifiers: {
      ...pickMetadata(labels, { projectId: "project.runner.gitlab.com/id", runner: "manager.runner.gitlab.com/name" }),
      ...pickMetadata(annotations, {
        projectId: "project.runner.gitlab.com/id",
        jobId: "job.runner.gitlab.com/id",
        jobName: "job.runner.gitlab.com/name",
        jobUrl: "job.runner.gitlab.com/url",
      }),
    },
  };
};

function hasBuildAndHelper(containers: { name?: string }[] | undefined): boolean {
  if (!Array.isArray(containers)) return false;
  const names = new Set(containers.map((c) => c?.name));
  return names.has("build") && names.has("helper");
}
