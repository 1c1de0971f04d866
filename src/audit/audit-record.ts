/**
 * One audit record per admission: who, what pod, which CI job, what was decided and why. Names, paths,
 * codes and counts only: never an env value, never the pod body.
 */
import type { Decision } from "../admission/decision.js";
import type { AdmissionRequest } from "../admission/request.js";
import type { Pod } from "../k8s/pod.js";
import { podDisplayName } from "../k8s/pod.js";

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
    uid: req.uid,
    namespace: req.namespace,
    name: podDisplayName(pod, req.name),
    operation: req.operation,
    dryRun: req.dryRun === true,
    user: req.userInfo?.username,
    decision: decision.kind,
    patchOps: decision.kind === "mutated" ? decision.patch.length : 0,
    warnings: "warnings" in decision ? decision.warnings.length : 0,
    durationMs: Math.round(durationMs * 1000) / 1000,
  };
  if (decision.ci) {
    record.ciSystem = decision.ci.system;
    record.ci = decision.ci.identifiers;
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
  if ("reports" in decision) record.mutators = decision.reports.map(({ name, action, changes }) => ({ name, action, changes }));
  return record;
}
