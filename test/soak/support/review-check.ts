/**
 * What every reply of the webhook must be, whatever was sent: an AdmissionReview in JSON, with the
 * request's uid and apiVersion when they could be read, `allowed` a boolean, an HTTP status that matches
 * `response.status.code` on refusals, and a patch that is valid JSON Patch and applies to the pod sent.
 */
import jsonpatch from "fast-json-patch";
import type { Operation } from "fast-json-patch";
import type { ReviewReply } from "../../support/tls-client.js";

const VERSIONS = ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"];
const REFUSALS: Record<number, string[]> = { 400: ["REVIEW_MALFORMED"], 413: ["REVIEW_TOO_LARGE"], 415: ["UNSUPPORTED_MEDIA_TYPE"] };

/** A parsed AdmissionReview reply (the same shape the integration client parses). */
export type ParsedReview = ReviewReply["review"];

export interface CheckedReview {
  review?: ParsedReview;
  /** The decoded patch, when the reply carries one. */
  patch?: Operation[];
  /** The pod after the patch (only when `applyTo` was given and the patch applied). */
  patched?: unknown;
  problems: string[];
}

export interface SentReview {
  /** The request as sent, when it was an object; its uid/apiVersion are expected back when valid. */
  body?: unknown;
  /** Apply the reply's patch to this object (the pod sent) and return the result. */
  applyTo?: unknown;
}

/** Checks a reply; `problems` lists every way it is not a valid AdmissionReview for what was sent. */
export function checkReview(status: number, text: string, sent: SentReview = {}): CheckedReview {
  const problems: string[] = [];
  let review: ParsedReview;
  try {
    review = JSON.parse(text) as ParsedReview;
  } catch {
    return { problems: [`HTTP ${status}: reply is not JSON (${text.length} bytes)`] };
  }
  const fail = (what: string) => problems.push(`HTTP ${status}: ${what}`);
  if (typeof review !== "object" || review === null || Array.isArray(review)) return { problems: [`HTTP ${status}: reply is not a JSON object`] };
  if (review.kind !== "AdmissionReview") fail(`kind is ${JSON.stringify(review.kind)}`);
  if (!VERSIONS.includes(review.apiVersion)) fail(`apiVersion is ${JSON.stringify(review.apiVersion)}`);
  const response = review.response;
  if (typeof response !== "object" || response === null) return { review, problems: [...problems, `HTTP ${status}: no response object`] };
  if (typeof response.uid !== "string") fail("response.uid is not a string");
  if (typeof response.allowed !== "boolean") fail("response.allowed is not a boolean");
  const request = (sent.body as { apiVersion?: unknown; request?: { uid?: unknown } } | undefined) ?? undefined;
  const sentUid = typeof request?.request?.uid === "string" && request.request.uid !== "" ? request.request.uid : undefined;
  const sentVersion = typeof request?.apiVersion === "string" && VERSIONS.includes(request.apiVersion) ? request.apiVersion : undefined;
  if (status === 200) {
    if (sentUid !== undefined && response.uid !== sentUid) fail("response.uid is not the request's uid");
    if (sentVersion !== undefined && review.apiVersion !== sentVersion) fail("apiVersion is not the request's");
  } else if (REFUSALS[status]) {
    if (response.allowed !== false) fail("a refusal that allows");
    if (response.status?.code !== status) fail(`status.code ${String(response.status?.code)} differs from the HTTP status`);
    if (!REFUSALS[status]?.includes(String(response.status?.reason))) fail(`status.reason ${String(response.status?.reason)}`);
    if (response.uid !== "" && response.uid !== sentUid) fail("a refusal names a uid that was not sent");
  } else {
    fail("unexpected HTTP status for an AdmissionReview reply");
  }
  const result: CheckedReview = { review, problems };
  if (response.patch !== undefined) {
    if (response.patchType !== "JSONPatch") fail("patch without patchType JSONPatch");
    if (response.allowed !== true) fail("a patch on a reply that does not allow");
    let ops: unknown;
    try {
      ops = JSON.parse(Buffer.from(response.patch, "base64").toString("utf8"));
    } catch {
      fail("patch is not base64 JSON");
    }
    if (Array.isArray(ops)) {
      result.patch = ops as Operation[];
      const invalid = jsonpatch.validate(result.patch);
      if (invalid) fail(`patch is not valid JSON Patch: ${invalid.name}`);
      else if (sent.applyTo !== undefined) {
        try {
          result.patched = jsonpatch.applyPatch(sent.applyTo, result.patch, true, false).newDocument;
        } catch (err) {
          fail(`patch does not apply to the pod sent: ${(err as { name?: string }).name ?? "error"}`);
        }
      }
    } else if (ops !== undefined) fail("patch is not a JSON array");
  } else if (response.patchType !== undefined) fail("patchType without a patch");
  return result;
}
