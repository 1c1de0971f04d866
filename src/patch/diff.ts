/** The one diff: original raw pod against the mutated copy. Shared subtrees are skipped by identity. */
import jsonpatch from "fast-json-patch";
import type { Operation } from "fast-json-patch";
import type { Pod } from "../k8s/pod.js";

export type PatchOperation = Operation;

export function diffPods(original: Pod, mutated: Pod): PatchOperation[] {
  if (original === mutated) return [];
  return jsonpatch.compare(original, mutated);
}

/** Applies a patch to a deep copy of `document` (RFC 6902); throws on an operation that does not apply. */
export function applyPatchCopy<T>(document: T, patch: readonly PatchOperation[]): T {
  const copy = structuredClone(document);
  return jsonpatch.applyPatch(copy, patch as Operation[], true, true).newDocument;
}
