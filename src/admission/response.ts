/**
 * Named builders for every reply the webhook sends, so no handler builds an AdmissionReview by hand.
 * A reply always carries the request's apiVersion and uid.
 */
import type { Decision } from "./decision.js";
import type { ReviewVersion } from "./review.js";

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: "JSONPatch";
  patch?: string;
  status?: { code: number; reason?: string; message: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewReply {
  apiVersion: ReviewVersion;
  kind: "AdmissionReview";
  response: AdmissionResponse;
}

/** The API server truncates long warnings; keep each one readable within its limit. */
const MAX_WARNING_LENGTH = 256;
const MAX_WARNINGS = 20;

export function reviewReply(apiVersion: ReviewVersion, response: AdmissionResponse): AdmissionReviewReply {
  return { apiVersion, kind: "AdmissionReview", response };
}

/** Translates a core Decision into the AdmissionResponse the API server expects. */
export function responseFor(uid: string, decision: Decision): AdmissionResponse {
  switch (decision.kind) {
    case "skipped":
      return { uid, allowed: true };
    case "unchanged":
      return withWarnings({ uid, allowed: true, auditAnnotations: annotationsFor(decision) }, decision.warnings);
    case "mutated":
      return withWarnings(
        { uid, allowed: true, patchType: "JSONPatch", patch: Buffer.from(JSON.stringify(decision.patch)).toString("base64"), auditAnnotations: annotationsFor(decision) },
        decision.warnings,
      );
    case "denied":
      return withWarnings(
        { uid, allowed: false, status: { code: 403, reason: "Forbidden", message: decision.message }, auditAnnotations: annotationsFor(decision) },
        decision.warnings,
      );
    case "error":
      if (decision.allowed) return withWarnings({ uid, allowed: true, auditAnnotations: { decision: "error", code: decision.code } }, decision.warnings);
      return { uid, allowed: false, status: { code: 500, reason: "InternalError", message: `${decision.code}: ci-pod-webhook could not process the pod; see the webhook logs` }, auditAnnotations: { decision: "error", code: decision.code } };
  }
}

function annotationsFor(decision: Extract<Decision, { ci: unknown; reports: unknown }>): Record<string, string> {
  const annotations: Record<string, string> = { decision: decision.kind, "ci-system": decision.ci.system };
  const applied = decision.reports.filter((r) => r.action === "applied").map((r) => r.name);
  if (applied.length > 0) annotations.mutators = applied.join(",");
  if (decision.kind === "denied") annotations.code = decision.code;
  if (decision.kind === "unchanged" && decision.audit) annotations["audit-mode-would-be"] = decision.audit.wouldBe;
  return annotations;
}

function withWarnings(response: AdmissionResponse, warnings: readonly string[]): AdmissionResponse {
  if (warnings.length === 0) return response;
  const trimmed = warnings.slice(0, MAX_WARNINGS).map((w) => (w.length > MAX_WARNING_LENGTH ? `${w.slice(0, MAX_WARNING_LENGTH - 1)}…` : w));
  return { ...response, warnings: trimmed };
}
