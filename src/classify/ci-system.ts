/** What a detector reports about a CI job pod. */
import type { Config } from "../config/schema.js";
import type { Pod } from "../k8s/pod.js";

/** `gitlab`, `jenkins`, `arc`, `tekton`, or `custom:<name>` for an operator-defined selector. */
export type CiSystemId = "gitlab" | "jenkins" | "arc" | "tekton" | `custom:${string}`;

export interface CiSystemMatch {
  system: CiSystemId;
  /** Which marker matched, e.g. `label job.runner.gitlab.com/pod`. */
  marker: string;
  /** Job identifiers for the audit log, read from labels and annotations (never env). */
  identifiers: Record<string, string>;
}

/** A detector recognises one CI system's pods, or returns undefined. Pure. */
export type Detector = (pod: Pod, config: Config) => CiSystemMatch | undefined;

/** Picks the label or annotation values that exist, under the audit field names given. */
export function pickMetadata(source: Record<string, string> | undefined, fields: Record<string, string>): Record<string, string> {
  const picked: Record<string, string> = {};
  if (!source) return picked;
  for (const [field, key] of Object.entries(fields)) {
    const value = source[key];
    if (typeof value === "string" && value !== "") picked[field] = value;
  }
  return picked;
}

export function hasKey(map: Record<string, string> | undefined, key: string): boolean {
  return map !== undefined && map !== null && typeof map === "object" && Object.hasOwn(map, key);
}
