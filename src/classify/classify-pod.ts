/** Decides whether a pod is a CI job pod, and which system made it. */
import type { Config } from "../config/schema.js";
import type { Pod } from "../k8s/pod.js";
import type { CiSystemMatch, Detector } from "./ci-system.js";
import { detectArc } from "./systems/arc.js";
import { detectCustom } from "./systems/custom.js";
import { detectGitlab } from "./systems/gitlab.js";
import { detectJenkins } from "./systems/jenkins.js";
import { detectTekton } from "./systems/tekton.js";

export type ClassifyResult = ({ ci: true } & CiSystemMatch) | { ci: false; reason: string };

const BUILT_IN: { name: "gitlab" | "jenkins" | "arc" | "tekton"; detect: Detector }[] = [
  { name: "gitlab", detect: detectGitlab },
  { name: "jenkins", detect: detectJenkins },
  { name: "arc", detect: detectArc },
  { name: "tekton", detect: detectTekton },
];

/** Runs the enabled built-in detectors, then the custom selectors; the first match wins. Reads labels only (cheap). */
export function classifyPod(pod: Pod, config: Config): ClassifyResult {
  for (const { name, detect } of BUILT_IN) {
    if (!config.detectors[name].enabled) continue;
    const match = detect(pod, config);
    if (match) return { ci: true, ...match };
  }
  const custom = detectCustom(pod, config);
  if (custom) return { ci: true, ...custom };
  return { ci: false, reason: "not a CI pod: no gitlab/jenkins/arc/tekton marker or custom selector matched" };
}
