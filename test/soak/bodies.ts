/**
 * The soak's mixed load: the shared fixtures of every CI system, a pod the builds-dir guard denies, a
 * non-CI pod, and a large GitLab pod (many services, many env vars), each with what its reply must be.
 */
import type { Pod } from "../../src/k8s/pod.js";
import { loadSharedFixture, newUid, podReview, type SharedFixtureName } from "../support/tls-client.js";

export type Expectation = "patched" | "denied" | "allowed";

export interface BodyKind {
  name: string;
  pod: Pod;
  expect: Expectation;
  /** The review with a placeholder uid, serialised once. */
  template: string;
  bytes: number;
}

const UID_PLACEHOLDER = "00000000-0000-4000-8000-soakplacehold";

function kind(name: string, pod: Pod, expect: Expectation): BodyKind {
  const template = JSON.stringify(podReview(pod, { uid: UID_PLACEHOLDER }));
  return { name, pod, expect, template, bytes: Buffer.byteLength(template) };
}

/** A GitLab job pod with `services` service containers of `envVars` variables each (~0.5 MiB by default). */
export function largeGitlabPod(services = 24, envVars = 120): Pod {
  const pod = loadSharedFixture("gitlab-attach-dind");
  const spec = pod.spec as NonNullable<Pod["spec"]>;
  const template = spec.containers.find((c) => c.name === "svc-0") ?? spec.containers[0];
  for (let i = 1; i <= services; i++) {
    const env = Array.from({ length: envVars }, (_, j) => ({ name: `SOAK_VAR_${j}`, value: `value-${i}-${j}-${"v".repeat(100)}` }));
    spec.containers.push({ ...structuredClone(template), name: `svc-${i}`, env: [...(template?.env ?? []), ...env] } as NonNullable<typeof template>);
  }
  return pod;
}

export function soakBodies(): BodyKind[] {
  const fixture = (name: SharedFixtureName, expect: Expectation) => kind(name, loadSharedFixture(name), expect);
  return [
    fixture("gitlab-attach-dind", "patched"),
    fixture("jenkins-agent-dind", "patched"),
    fixture("arc-ephemeral-runner-dind", "patched"),
    fixture("tekton-taskrun-dind", "patched"),
    fixture("gitlab-builds-dir-dev", "denied"),
    fixture("plain-nginx", "allowed"),
    kind("large-gitlab", largeGitlabPod(), "patched"),
  ];
}

/** The JSON body for one request of `kind`, with a fresh uid. */
export function bodyFor(kind: BodyKind): { uid: string; text: string } {
  const uid = newUid();
  return { uid, text: kind.template.replace(UID_PLACEHOLDER, uid) };
}
