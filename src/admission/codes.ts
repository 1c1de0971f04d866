/**
 * The catalogue of stable codes. A code is a metric label, an audit field and part of a denial message;
 * tests assert codes, not wording.
 */
export const CODES = {
  /** A volume is mounted at or over a system directory (e.g. a GitLab builds_dir of `/dev`). */
  BUILDS_DIR_SYSTEM_PATH: { status: 403, summary: "a volume is mounted over a system directory" },
  /** The core threw; the reply follows `onInternalError`. */
  INTERNAL_ERROR: { status: 500, summary: "internal error while admitting the pod" },
  /** A mutation would have changed something the invariants forbid (image, command, ...). */
  INVARIANT_VIOLATION: { status: 500, summary: "a mutation broke an invariant" },
  /** The AdmissionReview could not be decoded. */
  REVIEW_MALFORMED: { status: 400, summary: "malformed AdmissionReview" },
  /** The request body is larger than `server.maxRequestBytes`. */
  REVIEW_TOO_LARGE: { status: 413, summary: "request body too large" },
  /** The request body is not JSON. */
  UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: "content type must be application/json" },
  /** A config file failed validation; the last good config stays in force. */
  CONFIG_INVALID: { status: 500, summary: "configuration is invalid" },
} as const;

export type Code = keyof typeof CODES;
export type DenialCode = "BUILDS_DIR_SYSTEM_PATH";
