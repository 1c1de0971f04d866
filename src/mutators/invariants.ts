/**
 * The guard after the pipeline. A mutation never changes a container's image, command, args, stdin,
 * stdinOnce, tty, workingDir, restartPolicy or terminationMessagePath (runners drive their containers through
 * these; Tekton reads step results from its terminationMessagePath), never removes
 * or reorders list elements, never touches labels or other annotations. A violation is an internal error.
 */
import { isDeepStrictEqual } from "node:util";
import type { Container, Pod, PodSpec } from "../k8s/pod.js";
import { CONTAINER_LISTS } from "../k8s/pod.js";
import { MUTATED_ANNOTATION } from "./mutated-annotation.js";

const SACRED_FIELDS = ["name", "image", "command", "args", "stdin", "stdinOnce", "tty", "workingDir", "restartPolicy", "terminationMessagePath"] as const;
const KEPT_CONTAINER_LISTS = ["env", "volumeMounts", "envFrom", "ports"] as const;

export class InvariantViolation extends Error {
  override name = "InvariantViolation";
}

/** Throws InvariantViolation naming the field (never its value) if `mutated` breaks an invariant. */
export function assertInvariants(original: Pod, mutated: Pod, opts: { dnsOverride: boolean }): void {
  if (original === mutated) return;
  const o: Partial<PodSpec> = original.spec ?? {};
  const m: Partial<PodSpec> = mutated.spec ?? {};
  for (const list of CONTAINER_LISTS) {
    keepsPrefix<Container>(o[list], m[list], `spec.${list}`, (a, b, where) => {
      // Paths are joined only for a message: this runs for every field of every changed container.
      for (const field of SACRED_FIELDS) same(a[field], b[field], where, field);
      for (const inner of KEPT_CONTAINER_LISTS) if (a[inner] !== b[inner]) keepsPrefix<unknown>(a[inner], b[inner], `${where}.${inner}`);
      same(a.securityContext, b.securityContext, where, "securityContext");
    });
  }
  keepsPrefix(o.volumes, m.volumes, "spec.volumes");
  keepsPrefix(o.hostAliases, m.hostAliases, "spec.hostAliases");
  for (const field of ["dnsPolicy", "hostNetwork", "restartPolicy", "nodeSelector", "os"] as const) same(o[field], m[field], "spec", field);
  same(o.dnsConfig?.nameservers, m.dnsConfig?.nameservers, "spec.dnsConfig.nameservers");
  same(o.dnsConfig?.searches, m.dnsConfig?.searches, "spec.dnsConfig.searches");
  if (!opts.dnsOverride) keepsPrefix(o.dnsConfig?.options, m.dnsConfig?.options, "spec.dnsConfig.options");
  same(original.metadata?.labels, mutated.metadata?.labels, "metadata.labels");
  sameAnnotationsButOurs(original.metadata?.annotations, mutated.metadata?.annotations);
}

/** Every annotation but ours is kept as it was: no key added, removed or changed. */
function sameAnnotationsButOurs(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): void {
  if (before === after) return;
  const others = (annotations: Record<string, unknown> | undefined) => Object.keys(annotations ?? {}).filter((key) => key !== MUTATED_ANNOTATION);
  const kept = others(before);
  if (kept.length !== others(after).length) throw new InvariantViolation("mutation changed metadata.annotations");
  for (const key of kept) {
    if (!Object.hasOwn(after ?? {}, key)) throw new InvariantViolation("mutation changed metadata.annotations");
    same(before?.[key], after?.[key], "metadata.annotations");
  }
}

function same(a: unknown, b: unknown, where: string, field?: string): void {
  if (a !== b && !isDeepStrictEqual(a, b)) throw new InvariantViolation(`mutation changed ${field ? `${where}.${field}` : where}`);
}

function keepsPrefix<T>(before: T[] | undefined, after: T[] | undefined, where: string, check?: (a: T, b: T, where: string) => void): void {
  if (before === after || !Array.isArray(before)) return;
  if (!Array.isArray(after) || after.length < before.length) throw new InvariantViolation(`mutation removed elements of ${where}`);
  for (let i = 0; i < before.length; i++) {
    const item = before[i] as T;
    const next = after[i] as T;
    if (item === next) continue;
    if (check) check(item, next, `${where}[${i}]`);
    else same(item, next, `${where}[${i}]`);
  }
}
