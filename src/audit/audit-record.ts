/**
 * One audit record per admission: who, what pod, which CI job, what was decided and why. Names, paths,
 * codes and counts only: never an env value, never the pod body. Mutating admission runs before the API
 * server validates the pod, so names and labels here can be any JSON a user sent: only strings are kept,
 * cut to a bounded length, so one pod cannot write a megabyte line.
 */
import type { Decision } from "../admission/decision.js";
import type { AdmissionRequest } from "../admission/request.js";
import type { Pod } from "../k8s/pod.js";
import { podDisplayName } from "../k8s/pod.js";
import { loggable } from "../log.js";

/** CI job identifiers include URLs, which may be longer than a name. */
const MAX_IDENTIFIER_CHARS = 512;
/** Change entries per mutator (one or two per container); the rest are counted. */
const MAX_CHANGES = 32;

export type AuditDecision = "mutated" | "unchanged" | "skipped" | "denied" | "error";

export interface AuditRecord {
  uid: string;
  namespace?: string;
  name: string;
  operation?: string;
  dryRun: boolean;
  user?: string;
  decision: AuditDecision;
  code?: string;
  reason?: string;
  ciSystem?: string;
  ci?: Record<string, string>;
  mutators?: { name: string; action: string; changes: string[] }[];
  patchOps: number;
  warnings: number;
  auditMode?: string;
  durationMs: number;
}

export function buildAuditRecord(req: AdmissionRequest, decision: Decision, durationMs: number): AuditRecord {
  const pod = (typeof req.object === "object" && req.object !== null ? req.object : {}) as Pod;
  const record: AuditRecord = {
    uid: loggable(req.uid) ?? "",
    namespace: loggable(req.namespace),
    name: loggable(podDisplayName(pod, req.name)) ?? "<name is not a string>",
    operation: loggable(req.operation),
    dryRun: req.dryRun === true,
    user: loggable(req.userInfo?.username),
    decision: decision.kind,
    patchOps: decision.kind === "mutated" ? decision.patch.length : 0,
    warnings: "warnings" in decision ? decision.warnings.length : 0,
    durationMs: Math.round(durationMs * 1000) / 1000,
  };
  if (decision.ci) {
    record.ciSystem = decision.ci.system;
    record.ci = Object.fromEntries(Object.entries(decision.ci.identifiers).map(([k, v]) => [k, loggable(v, MAX_IDENTIFIER_CHARS) ?? ""]));
  }
  switch (decision.kind) {
    case "skipped":
      record.reason = decision.reason;
      break;
    case "denied":
      record.code = decision.code;
      break;
    case "error":
      record.code = decision.code;
      record.reason = decision.allowed ? "admitted unchanged (onInternalError: allow)" : "denied (onInternalError: deny)";
      break;
    case "unchanged":
      record.reason = decision.reason;
      if (decision.audit) record.auditMode = decision.audit.wouldBe === "denied" ? `would deny: ${decision.audit.code}` : `would patch ${decision.audit.patchOps} ops`;
      break;
  }
  if ("reports" in decision) record.mutators = decision.reports.map(({ name, action, changes }) => ({ name, action, changes: boundedChanges(changes) }));
  return record;
}

function boundedChanges(changes: readonly string[]): string[] {
  const kept = changes.slice(0, MAX_CHANGES).map((change) => loggable(change) ?? "");
  if (changes.length > MAX_CHANGES) kept.push(`… ${changes.length - MAX_CHANGES} more`);
  return kept;
}
