/**
 * Decodes an AdmissionReview (v1 or v1beta1) from parsed JSON. Checks the envelope only: the pod inside
 * `request.object` is left as raw JSON for the core, never walked here.
 */
import type { AdmissionRequest } from "./request.js";

export const REVIEW_VERSIONS = ["admission.k8s.io/v1", "admission.k8s.io/v1beta1"] as const;
export type ReviewVersion = (typeof REVIEW_VERSIONS)[number];

export type DecodeResult =
  | { ok: true; apiVersion: ReviewVersion; request: AdmissionRequest }
  | { ok: false; message: string; uid?: string; apiVersion?: ReviewVersion };

const STRING_FIELDS = ["name", "namespace", "operation", "subResource"] as const;

export function decodeReview(body: unknown): DecodeResult {
  if (!isObject(body)) return { ok: false, message: "body must be a JSON object (an AdmissionReview)" };
  const apiVersion = body.apiVersion;
  if (!REVIEW_VERSIONS.includes(apiVersion as ReviewVersion)) {
    return { ok: false, message: `apiVersion must be one of ${REVIEW_VERSIONS.join(", ")}` };
  }
  const version = apiVersion as ReviewVersion;
  if (body.kind !== "AdmissionReview") return { ok: false, apiVersion: version, message: "kind must be AdmissionReview" };
  const request = body.request;
  if (!isObject(request)) return { ok: false, apiVersion: version, message: "request is missing or not an object" };
  const uid = request.uid;
  if (typeof uid !== "string" || uid === "") return { ok: false, apiVersion: version, message: "request.uid must be a non-empty string" };
  const fail = (message: string): DecodeResult => ({ ok: false, apiVersion: version, uid, message });

  for (const field of STRING_FIELDS) {
    if (request[field] !== undefined && typeof request[field] !== "string") return fail(`request.${field} must be a string`);
  }
  for (const field of ["kind", "resource", "userInfo"] as const) {
    if (request[field] !== undefined && !isObject(request[field])) return fail(`request.${field} must be an object`);
  }
  if (request.dryRun !== undefined && typeof request.dryRun !== "boolean") return fail("request.dryRun must be a boolean");
  const object = request.object;
  if (request.operation === "CREATE" && !isObject(object)) return fail("request.object must be an object for CREATE");
  if (object !== undefined && object !== null && !isObject(object)) return fail("request.object must be an object");
  return { ok: true, apiVersion: version, request: request as unknown as AdmissionRequest };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
