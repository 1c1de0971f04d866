/** The parts of an `admission.k8s.io/v1` (or v1beta1) AdmissionRequest the core reads. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface AdmissionRequest {
  uid: string;
  kind?: GroupVersionKind;
  resource?: GroupVersionResource;
  subResource?: string;
  name?: string;
  namespace?: string;
  operation?: string;
  userInfo?: { username?: string; uid?: string; groups?: string[] };
  object?: unknown;
  dryRun?: boolean;
}

/** Whether this is the one thing the webhook acts on: CREATE of a core/v1 pod (no subresource). */
export function isPodCreate(req: AdmissionRequest): boolean {
  const isPod = req.resource ? req.resource.group === "" && req.resource.resource === "pods" : req.kind?.kind === "Pod" && req.kind.group === "";
  return isPod && !req.subResource && req.operation === "CREATE";
}
