/**
 * The admission step between the HTTP edge and the core: decoded review in, reply out, recorded in the
 * audit log and metrics. Knows nothing of sockets; `admission-route.ts` owns the wire.
 */
import { admit, type AdmitDeps } from "../admission/admit.js";
import type { Decision } from "../admission/decision.js";
import type { AdmissionRequest } from "../admission/request.js";
import { responseFor, reviewReply, type AdmissionReviewReply } from "../admission/response.js";
import type { ReviewVersion } from "../admission/review.js";
import type { AuditLog } from "../audit/audit-log.js";
import { buildAuditRecord } from "../audit/audit-record.js";
import type { Config } from "../config/schema.js";
import { loggable, type Logger } from "../log.js";
import type { AdmissionMetrics } from "../metrics/admission-metrics.js";

export interface AdmissionDeps {
  config: () => Config;
  caBundlePresent?: (namespace: string) => boolean;
  logger: Logger;
  audit: AuditLog;
  metrics: AdmissionMetrics;
}

export function handleAdmission(apiVersion: ReviewVersion, request: AdmissionRequest, deps: AdmissionDeps, startedAt: bigint): AdmissionReviewReply {
  const admitDeps: AdmitDeps = { config: deps.config() };
  if (deps.caBundlePresent) admitDeps.caBundlePresent = deps.caBundlePresent;
  const decision = admit(request, admitDeps);
  const reply = reviewReply(apiVersion, responseFor(request.uid, decision));
  record(request, decision, deps, startedAt);
  return reply;
}

function record(request: AdmissionRequest, decision: Decision, deps: AdmissionDeps, startedAt: bigint): void {
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const code = "code" in decision ? decision.code : "";
  deps.metrics.requests.inc({ decision: decision.kind, system: decision.ci?.system ?? "none", code });
  deps.metrics.duration.observe({ decision: decision.kind }, seconds);
  if (decision.kind === "mutated") for (const name of decision.applied) deps.metrics.mutations.inc({ mutator: name });
  if (decision.kind === "error") {
    deps.logger.error({ uid: loggable(request.uid), namespace: loggable(request.namespace), code: decision.code, err: decision.error }, "internal error while admitting a pod");
  }
  const record = buildAuditRecord(request, decision, seconds * 1000);
  deps.audit.write(record);
  if (deps.logger.isLevelEnabled("debug")) {
    deps.logger.debug({ uid: record.uid, namespace: record.namespace, name: record.name, decision: record.decision, reason: record.reason, ciSystem: record.ciSystem }, "admission decided");
  }
}
