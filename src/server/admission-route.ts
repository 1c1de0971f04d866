/**
 * The HTTP edge of `POST /mutate`: content type, body cap, JSON parse, envelope decode, and always an
 * AdmissionReview back. Served on node:https directly rather than through express: this path is on the
 * way of every pod creation, and reading the body ourselves lets the cap apply before any parsing.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { reviewReply, type AdmissionReviewReply } from "../admission/response.js";
import { decodeReview, type ReviewVersion } from "../admission/review.js";
import { CODES, type Code } from "../admission/codes.js";
import { BodyError, readBody } from "./read-body.js";
import { decodeWithoutManagedFields } from "./strip-managed-fields.js";
import { handleAdmission, type AdmissionDeps } from "./admission-handler.js";
import { loggable } from "../log.js";

export async function serveMutate(req: IncomingMessage, res: ServerResponse, deps: AdmissionDeps): Promise<void> {
  const startedAt = process.hrtime.bigint();
  if (!isJson(req.headers["content-type"])) {
    req.resume();
    return refuse(res, deps, "UNSUPPORTED_MEDIA_TYPE", 415, `content type must be application/json, got ${req.headers["content-type"] ?? "none"}`);
  }
  let body: Buffer;
  try {
    body = await readBody(req, deps.config().server.maxRequestBytes);
  } catch (err) {
    const status = err instanceof BodyError ? err.status : 400;
    return refuse(res, deps, status === 413 ? "REVIEW_TOO_LARGE" : "REVIEW_MALFORMED", status, (err as Error).message, status === 413);
  }
  if (body.length === 0) return refuse(res, deps, "REVIEW_MALFORMED", 400, "empty request body");
  let parsed: unknown;
  try {
    parsed = parseReviewBody(body);
  } catch (err) {
    return refuse(res, deps, "REVIEW_MALFORMED", 400, `request body is not valid JSON: ${(err as Error).message}`);
  }
  const decoded = decodeReview(parsed);
  if (!decoded.ok) return refuse(res, deps, "REVIEW_MALFORMED", 400, decoded.message, false, decoded.uid, decoded.apiVersion);
  let reply: AdmissionReviewReply;
  try {
    reply = handleAdmission(decoded.apiVersion, decoded.request, deps, startedAt);
  } catch (err) {
    // admit() never throws; this guards the recording around it. The reply still follows onInternalError.
    deps.logger.error({ uid: loggable(decoded.request.uid), err }, "internal error around admission");
    deps.metrics.requests.inc({ decision: "error", system: "none", code: "INTERNAL_ERROR" });
    const allowed = deps.config().onInternalError === "allow";
    reply = reviewReply(decoded.apiVersion, allowed
      ? { uid: decoded.request.uid, allowed: true, warnings: ["ci-pod-webhook: internal error (INTERNAL_ERROR); pod admitted unchanged"] }
      : { uid: decoded.request.uid, allowed: false, status: { code: 500, reason: "InternalError", message: "INTERNAL_ERROR: ci-pod-webhook could not process the pod" } });
  }
  send(res, 200, reply);
}

function refuse(res: ServerResponse, deps: AdmissionDeps, code: Code, status: number, message: string, close = false, uid = "", apiVersion: ReviewVersion = "admission.k8s.io/v1"): void {
  deps.metrics.badRequests.inc({ code });
  deps.logger.warn({ code, status, uid: loggable(uid) || undefined }, `refused admission request: ${CODES[code].summary}`);
  if (close) res.setHeader("Connection", "close");
  send(res, status, reviewReply(apiVersion, { uid, allowed: false, status: { code: status, reason: code, message: `${code}: ${message}` } }));
}

function send(res: ServerResponse, status: number, body: AdmissionReviewReply): void {
  // A string body goes out in one write with the headers (a Buffer would be a second chunk of a writev).
  const json = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(json) });
  res.end(json);
}

/** Parses without the managedFields the webhook never reads; a parse error is reported on the whole body. */
function parseReviewBody(body: Buffer): unknown {
  const stripped = decodeWithoutManagedFields(body);
  try {
    return JSON.parse(stripped);
  } catch {
    return JSON.parse(body.toString("utf8"));
  }
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === "application/json") return true;
  if (!contentType) return false;
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase();
  return mediaType === "application/json";
}
