/**
 * The patches the patch-cost bench returns from its fixed-patch webhook. All are built from the real
 * AdmissionReview of the GitLab DinD fixture (captured from the API server) and our real patch for it
 * (`explain --output patch` on that review). The "same final pod" variants express the pod our real patch
 * produces with fewer or coarser operations.
 */
import type { Operation } from "fast-json-patch";
import { applyPatchCopy } from "../../../src/patch/diff.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

export interface PatchVariant {
  /** Short id: namespace suffix, webhook name, label value. */
  id: string;
  /** Brief's letter, for the report. */
  letter: string;
  description: string;
  /** Undefined: no webhook at all. Empty array: allowed without a patch. */
  patch?: Operation[];
  reinvocationPolicy?: "Never" | "IfNeeded";
  /** The patch should leave the object unchanged (the API server's `changed` is false). */
  noChange?: boolean;
  /** Produces the same final pod as `real` (checked before measuring). */
  samePodAsReal?: boolean;
}

const CA_VOLUME = /^\/spec\/(volumes|(init)?[cC]ontainers\/\d+\/volumeMounts)\//;

export function buildVariants(capturedPod: Obj, realPatch: Operation[]): PatchVariant[] {
  const final = applyPatchCopy(capturedPod, realPatch) as Obj;
  const annotationOps = realPatch.filter((op) => op.path.startsWith("/metadata/annotations/"));
  const firstEnvOp = realPatch.find((op) => /^\/spec\/containers\/\d+\/env\/\d+$/.test(op.path));
  const dnsOp = realPatch.find((op) => op.path === "/spec/dnsConfig");
  const podLabel = ((capturedPod.metadata as Obj).labels as Obj | undefined)?.pod;
  if (annotationOps.length !== 1 || !firstEnvOp || !dnsOp || typeof podLabel !== "string") {
    throw new Error("the real patch does not have the expected shape (one annotation, container env adds, dnsConfig)");
  }
  const variants: PatchVariant[] = [
    { id: "none", letter: "a", description: "no webhook" },
    { id: "allow", letter: "b", description: "allowed, no patch", patch: [] },
    { id: "ann1", letter: "c", description: "1 op: add one annotation", patch: annotationOps },
    { id: "noop1", letter: "c0", description: "1 op that changes nothing (replace a label by itself)", patch: [{ op: "replace", path: "/metadata/labels/pod", value: podLabel }], noChange: true },
    { id: "env1", letter: "c1", description: "1 op: add one env var to containers[0]", patch: [firstEnvOp] },
    { id: "real", letter: "d", description: `our real patch (${realPatch.length} ops)`, patch: realPatch, samePodAsReal: true },
    { id: "real-ifneeded", letter: "d'", description: "our real patch, reinvocationPolicy IfNeeded", patch: realPatch, reinvocationPolicy: "IfNeeded", samePodAsReal: true },
    { id: "fewer", letter: "e", description: "same pod, one op per changed env/volumeMounts array and per other field", patch: perArrayOps(capturedPod, final), samePodAsReal: true },
    { id: "coarse", letter: "e2", description: "same pod, one op per changed spec field (whole containers arrays)", patch: perSpecFieldOps(capturedPod, final), samePodAsReal: true },
    { id: "spec", letter: "e3", description: "same pod, replace /spec + the annotation", patch: [...annotationOps, { op: "replace", path: "/spec", value: final.spec }], samePodAsReal: true },
    { id: "dns", letter: "f", description: "dnsConfig + hostAliases only", patch: [dnsOp, { op: "add", path: "/spec/hostAliases", value: [{ ip: "127.0.0.1", hostnames: ["docker"] }] }] },
    { id: "ca", letter: "g", description: "CA volume + volumeMounts only (no env)", patch: realPatch.filter((op) => CA_VOLUME.test(op.path)) },
  ];
  for (const v of variants) if (v.patch) v.patch = v.patch.map((op) => ({ ...op }));
  return variants;
}

/** (e): one op per changed container env / volumeMounts array, per changed annotation, per other changed spec field. */
function perArrayOps(before: Obj, after: Obj): Operation[] {
  const ops = annotationOpsBetween(before, after);
  const b = before.spec as Obj;
  const a = after.spec as Obj;
  for (const key of Object.keys(a)) {
    if (same(b[key], a[key])) continue;
    if (key === "containers" || key === "initContainers") {
      const bc = b[key] as Obj[];
      const ac = a[key] as Obj[];
      if (bc.length !== ac.length) throw new Error(`spec.${key} changed length`);
      ac.forEach((container, i) => {
        for (const field of Object.keys(container)) {
          if (same(bc[i]?.[field], container[field])) continue;
          ops.push({ op: bc[i]?.[field] === undefined ? "add" : "replace", path: `/spec/${key}/${i}/${field}`, value: container[field] });
        }
      });
    } else {
      ops.push({ op: b[key] === undefined ? "add" : "replace", path: `/spec/${key}`, value: a[key] });
    }
  }
  return ops;
}

/** (e2): one op per changed spec field, whole arrays. */
function perSpecFieldOps(before: Obj, after: Obj): Operation[] {
  const ops = annotationOpsBetween(before, after);
  const b = before.spec as Obj;
  const a = after.spec as Obj;
  for (const key of Object.keys(a)) {
    if (!same(b[key], a[key])) ops.push({ op: b[key] === undefined ? "add" : "replace", path: `/spec/${key}`, value: a[key] });
  }
  return ops;
}

function annotationOpsBetween(before: Obj, after: Obj): Operation[] {
  const b = ((before.metadata as Obj).annotations ?? {}) as Obj;
  const a = ((after.metadata as Obj).annotations ?? {}) as Obj;
  return Object.keys(a).filter((k) => !same(b[k], a[k]))
    .map((k) => ({ op: b[k] === undefined ? "add" : "replace", path: `/metadata/annotations/${k.replaceAll("~", "~0").replaceAll("/", "~1")}`, value: a[k] }) as Operation);
}

function same(x: unknown, y: unknown): boolean {
  return JSON.stringify(x) === JSON.stringify(y);
}

/** A created pod with what differs between two creates of the same pod removed (names, uids, times, the token volume's random suffix). */
export function normalizedPod(pod: Record<string, unknown>): string {
  const metadata = { ...(pod.metadata as Obj) };
  for (const key of ["name", "namespace", "uid", "resourceVersion", "creationTimestamp", "managedFields"]) delete metadata[key];
  return JSON.stringify({ ...pod, metadata }).replace(/kube-api-access-[a-z0-9]{5}/g, "kube-api-access-XXXXX");
}
