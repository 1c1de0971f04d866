/**
 * Wraps a pod as kube-apiserver sends it to a mutating webhook on CREATE: decoded with defaults applied,
 * after the ServiceAccount admission plugin, carrying the creator's managedFields (computed before
 * admission), in a compact AdmissionReview v1. The shape follows apiserver v1.33; the values are made up.
 */
import { randomUUID } from "node:crypto";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** List keys of the pod's associative lists (server-side apply); other lists are atomic. */
const LIST_KEYS: Record<string, string[]> = {
  containers: ["name"], initContainers: ["name"], ephemeralContainers: ["name"], env: ["name"], volumes: ["name"],
  volumeMounts: ["mountPath"], ports: ["containerPort", "protocol"], hostAliases: ["ip"], imagePullSecrets: ["name"],
};

export interface ReviewOptions {
  /** Field manager recorded in managedFields (client-go uses the binary name). */
  manager: string;
  username: string;
}

/** The AdmissionReview v1 JSON the API server would POST for creating `pod` (not modified). */
export function admissionReview(pod: object, opts: ReviewOptions): JsonObject {
  const object = admittedPod(pod as JsonObject, opts.manager);
  const meta = object.metadata as JsonObject;
  const namespace = meta.namespace as string;
  return {
    kind: "AdmissionReview",
    apiVersion: "admission.k8s.io/v1",
    request: {
      uid: randomUUID(),
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      requestKind: { group: "", version: "v1", kind: "Pod" },
      requestResource: { group: "", version: "v1", resource: "pods" },
      ...(meta.name ? { name: meta.name } : {}),
      namespace,
      operation: "CREATE",
      userInfo: { username: opts.username, uid: randomUUID(), groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"] },
      object,
      oldObject: null,
      dryRun: false,
      options: { kind: "CreateOptions", apiVersion: "meta.k8s.io/v1" },
    },
  };
}

function admittedPod(sent: JsonObject, manager: string): JsonObject {
  const fieldsV1 = fieldsOf(sent, 0);
  const pod = structuredClone(sent);
  const spec = pod.spec as JsonObject;
  const saVolume = "kube-api-access-x7k2p";
  for (const list of ["initContainers", "containers"]) {
    for (const c of (spec[list] ?? []) as JsonObject[]) {
      c.terminationMessagePath ??= "/dev/termination-log";
      c.terminationMessagePolicy ??= "File";
      c.imagePullPolicy ??= "IfNotPresent";
      c.resources ??= {};
      const mounts = (c.volumeMounts ??= []) as JsonObject[];
      mounts.push({ name: saVolume, readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" });
    }
  }
  const volumes = (spec.volumes ??= []) as JsonObject[];
  volumes.push({ name: saVolume, projected: { defaultMode: 420, sources: [
    { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
    { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
    { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
  ] } });
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.serviceAccountName ??= "default";
  spec.serviceAccount = spec.serviceAccountName;
  spec.securityContext ??= {};
  spec.schedulerName ??= "default-scheduler";
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= "PreemptLowerPriority";
  spec.tolerations ??= ["not-ready", "unreachable"].map((t) => ({ key: `node.kubernetes.io/${t}`, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }));
  const meta = pod.metadata as JsonObject;
  meta.managedFields = [{ manager, operation: "Update", apiVersion: "v1", time: "2026-06-15T10:21:07Z", fieldsType: "FieldsV1", fieldsV1 }];
  return pod;
}

/** The FieldsV1 set of `value` (every field path, list items by key), as the field manager records it. */
function fieldsOf(value: JsonObject, depth: number): JsonObject {
  const out: JsonObject = depth >= 2 ? { ".": {} } : {};
  for (const [key, child] of Object.entries(value)) {
    if (key === "status" || child === null) continue;
    out[`f:${key}`] = fieldsOfValue(key, child, depth + 1);
  }
  return out;
}

function fieldsOfValue(key: string, value: Json, depth: number): JsonObject {
  const listKeys = LIST_KEYS[key];
  if (Array.isArray(value) && listKeys) {
    const out: JsonObject = { ".": {} };
    for (const item of value as JsonObject[]) {
      const id = Object.fromEntries(listKeys.filter((k) => item[k] !== undefined).map((k) => [k, item[k] as Json]));
      out[`k:${JSON.stringify(id)}`] = fieldsOf(item, 2);
    }
    return out;
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) return fieldsOf(value, depth);
  return {};
}
