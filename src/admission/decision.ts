/** What the core decided for one admission request. The HTTP layer turns this into an AdmissionResponse. */
import type { CiSystemMatch } from "../classify/ci-system.js";
import type { Pod } from "../k8s/pod.js";
import type { MutatorReport } from "../mutators/pipeline.js";
import type { PatchOperation } from "../patch/diff.js";
import type { Code, DenialCode } from "./codes.js";

interface Evaluated {
  ci: CiSystemMatch;
  reports: MutatorReport[];
  warnings: string[];
}

export type Decision =
  | { kind: "skipped"; reason: string; ci?: CiSystemMatch }
  | (Evaluated & { kind: "unchanged"; reason: string; audit?: AuditModeOutcome })
  | (Evaluated & { kind: "mutated"; patch: PatchOperation[]; pod: Pod; applied: string[] })
  | (Evaluated & { kind: "denied"; code: DenialCode; message: string })
  | { kind: "error"; code: Code; error: Error; allowed: boolean; ci?: CiSystemMatch; warnings: string[] };

/** In `mode: audit`, what would have happened. */
export type AuditModeOutcome =
  | { wouldBe: "mutated"; patchOps: number; applied: string[] }
  | { wouldBe: "denied"; code: DenialCode; message: string };

export type DecisionKind = Decision["kind"];
