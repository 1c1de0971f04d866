/** The contract every mutator follows: a pure, synchronous function from a pod to a result. */
import type { CiSystemId } from "../classify/ci-system.js";
import type { DenialCode } from "../admission/codes.js";
import type { Config } from "../config/schema.js";
import type { Pod } from "../k8s/pod.js";

export type MutatorName = "ca-trust" | "dns" | "docker-host-alias" | "builds-dir-guard";

export interface MutatorContext {
  config: Config;
  namespace: string;
  system: CiSystemId;
  /** Whether the CA bundle ConfigMap exists in the pod's namespace (true when presence is not checked). */
  caBundlePresent: boolean;
}

/**
 * `changes` and `warnings` carry names and paths only, never values: they reach the audit log
 * and the API server's warnings.
 */
export type MutatorResult =
  | { kind: "unchanged"; reason: string; warnings?: string[] }
  | { kind: "mutated"; pod: Pod; changes: string[]; warnings?: string[] }
  | { kind: "denied"; code: DenialCode; message: string };

export type Mutator = (pod: Pod, ctx: MutatorContext) => MutatorResult;

export interface NamedMutator {
  name: MutatorName;
  enabled: (config: Config) => boolean;
  run: Mutator;
}
