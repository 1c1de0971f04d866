/**
 * The one diff: original raw pod against the mutated copy. Mutators share every untouched subtree with
 * the original and only append, so the common case is answered by an append-only walk that follows
 * changed references alone. Anything else (a replaced value, a removed key) goes to fast-json-patch's
 * general `compare`. The walk exists for speed: `compare` deep-clones every added value and escapes every
 * key it passes, about half the admission cost on a GitLab pod (see README, Performance).
 */
import jsonpatch from "fast-json-patch";
import type { Operation } from "fast-json-patch";
import type { Pod } from "../k8s/pod.js";

export type PatchOperation = Operation;

export function diffPods(original: Pod, mutated: Pod): PatchOperation[] {
  if (original === mutated) return [];
  const ops: PatchOperation[] = [];
  return diffAppendOnly(original, mutated, "", ops) ? ops : jsonpatch.compare(original, mutated);
}

/** Collects `add` ops for keys and array elements that only `after` has; false if anything else changed. */
function diffAppendOnly(before: unknown, after: unknown, path: string, ops: PatchOperation[]): boolean {
  if (before === after) return true;
  if (!isContainer(before) || !isContainer(after) || Array.isArray(before) !== Array.isArray(after)) return false;
  if (Array.isArray(before)) {
    const next = after as unknown[];
    if (next.length < before.length) return false;
    for (let i = 0; i < before.length; i++) {
      if (before[i] !== next[i] && !diffAppendOnly(before[i], next[i], `${path}/${i}`, ops)) return false;
    }
    for (let i = before.length; i < next.length; i++) ops.push({ op: "add", path: `${path}/${i}`, value: next[i] });
    return true;
  }
  const old = before as Record<string, unknown>;
  const next = after as Record<string, unknown>;
  for (const key of Object.keys(old)) if (!Object.hasOwn(next, key)) return false;
  for (const key of Object.keys(next)) {
    const childPath = `${path}/${escapePointer(key)}`;
    if (!Object.hasOwn(old, key)) {
      if (next[key] !== undefined) ops.push({ op: "add", path: childPath, value: next[key] });
    } else if (old[key] !== next[key] && !diffAppendOnly(old[key], next[key], childPath, ops)) {
      return false;
    }
  }
  return true;
}

function isContainer(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/** RFC 6901: `~` → `~0`, `/` → `~1` (annotation keys such as `ci-pod-webhook.io/mutated` contain `/`). */
function escapePointer(key: string): string {
  return key.includes("~") || key.includes("/") ? key.replaceAll("~", "~0").replaceAll("/", "~1") : key;
}

/** Applies a patch to a deep copy of `document` (RFC 6902); throws on an operation that does not apply. */
export function applyPatchCopy<T>(document: T, patch: readonly PatchOperation[]): T {
  const copy = structuredClone(document);
  return jsonpatch.applyPatch(copy, patch as Operation[], true, true).newDocument;
}
