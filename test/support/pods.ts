/** Small hand-built pods for table tests. Realistic shapes live in test/fixtures and test/golden. */
import type { Container, Pod, PodSpec } from "../../src/k8s/pod.js";
import type { V1ObjectMeta } from "@kubernetes/client-node";

/** A container with an image and a long-running command, plus any extra fields (`undefined` removes a field). */
export function container(name: string, image = "alpine:3.20", extra: Partial<Container> = {}): Container {
  return withoutUndefined({ name, image, command: ["sh", "-c", "sleep 3600"], ...extra });
}

/** A DinD daemon container as CI systems declare it. */
export function dindContainer(name = "dind", image = "docker:27.3-dind", extra: Partial<Container> = {}): Container {
  return withoutUndefined({ name, image, securityContext: { privileged: true }, ...extra });
}

/** The API server never sends `undefined`; keep hand-built objects JSON-shaped. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A GitLab (>= 17.9) job pod: `build` and `helper` containers, the `job.runner.gitlab.com/pod` label.
 * `spec` fields replace the defaults one by one; `metadata` fields likewise.
 */
export function gitlabPod(spec: Partial<PodSpec> = {}, metadata: Partial<V1ObjectMeta> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "runner-abc123-project-1-concurrent-0-xyz",
      namespace: "ci",
      labels: { "job.runner.gitlab.com/pod": "runner-abc123-project-1-concurrent-0" },
      ...metadata,
    },
    spec: {
      containers: [container("build"), container("helper", "registry.gitlab.com/gitlab-org/gitlab-runner/gitlab-runner-helper:x86_64-v19.3.0")],
      restartPolicy: "Never",
      ...spec,
    },
  };
}

/** A pod with the given labels and annotations and one plain container: for detector tables. */
export function labelledPod(labels: Record<string, string>, annotations?: Record<string, string>, containers?: Container[]): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "ci", labels, ...(annotations ? { annotations } : {}) },
    spec: { containers: containers ?? [container("main")] },
  };
}

/** All containers and init containers of a pod, in start order. */
export function allContainers(pod: Pod): Container[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

/** The container (or init container) called `name`; throws if there is none. */
export function containerNamed(pod: Pod, name: string): Container {
  const found = allContainers(pod).find((c) => c.name === name);
  if (!found) throw new Error(`pod has no container named ${name}`);
  return found;
}

/** The value of env var `name` in a container, `undefined` if unset (or set from a source). */
export function envValue(c: Container, name: string): string | undefined {
  return c.env?.find((e) => e.name === name)?.value;
}
