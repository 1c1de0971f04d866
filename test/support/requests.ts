/** Builds AdmissionRequests the way the API server sends them for a pod CREATE. */
import type { AdmissionRequest } from "../../src/admission/request.js";
import type { Pod } from "../../src/k8s/pod.js";

/**
 * An AdmissionRequest for CREATE of `pod`. As in the API server, `name` is empty for `generateName`
 * pods (the name is generated after admission) and `namespace` comes from the pod. `overrides` win.
 */
export function podCreateRequest(pod: unknown, overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  const metadata = (pod as Pod | undefined)?.metadata;
  return {
    uid: "705ab4f5-6393-11e8-b7cc-42010a800002",
    kind: { group: "", version: "v1", kind: "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    ...(metadata?.name ? { name: metadata.name } : {}),
    ...(metadata?.namespace ? { namespace: metadata.namespace } : {}),
    operation: "CREATE",
    userInfo: { username: "system:serviceaccount:ci:runner", groups: ["system:serviceaccounts"] },
    object: pod,
    dryRun: false,
    ...overrides,
  };
}
