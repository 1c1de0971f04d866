/** Reads a Pod or an AdmissionReview from a YAML or JSON file into an AdmissionRequest for the core. */
import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import type { AdmissionRequest } from "../admission/request.js";
import { decodeReview } from "../admission/review.js";

export class InputError extends Error {
  override name = "InputError";
}

export async function readAdmissionInput(path: string, namespace?: string): Promise<AdmissionRequest> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new InputError(`${path}: cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new InputError(`${path}: not valid YAML or JSON: ${doc.errors[0]?.message ?? ""}`);
  const value: unknown = doc.toJS();
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InputError(`${path}: expected a Pod or an AdmissionReview object`);
  const object = value as Record<string, unknown>;
  if (object.kind === "AdmissionReview") {
    const decoded = decodeReview(object);
    if (!decoded.ok) throw new InputError(`${path}: invalid AdmissionReview: ${decoded.message}`);
    return namespace ? { ...decoded.request, namespace } : decoded.request;
  }
  if (object.kind !== "Pod") throw new InputError(`${path}: expected kind Pod or AdmissionReview, got ${JSON.stringify(object.kind ?? null)}`);
  if (typeof object.spec !== "object" || object.spec === null) throw new InputError(`${path}: the Pod has no spec`);
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  return {
    uid: "explain",
    kind: { group: "", version: "v1", kind: "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    operation: "CREATE",
    namespace: namespace ?? metadata.namespace ?? "default",
    ...(metadata.name ? { name: metadata.name } : {}),
    object,
  };
}
