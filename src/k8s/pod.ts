/**
 * Pod shapes as the API server sends them: the @kubernetes/client-node declarations, used as types only.
 * Objects are never passed through client-node's ObjectSerializer or model classes, which drop unknown
 * fields and turn `creationTimestamp: null` into changes nobody made (see STYLE.md, habit 3).
 */
import type { V1Container, V1Pod, V1PodSpec, V1Volume, V1VolumeMount, V1EnvVar, V1HostAlias, V1PodDNSConfigOption } from "@kubernetes/client-node";

export type Pod = V1Pod;
export type PodSpec = V1PodSpec;
export type Container = V1Container;
export type Volume = V1Volume;
export type VolumeMount = V1VolumeMount;
export type EnvVar = V1EnvVar;
export type HostAlias = V1HostAlias;
export type DnsOption = V1PodDNSConfigOption;

/** The two container lists a pod starts with; init containers (native sidecars included) start first. */
export const CONTAINER_LISTS = ["initContainers", "containers"] as const;
export type ContainerListName = (typeof CONTAINER_LISTS)[number];

/** A container together with where it sits in the pod. */
export interface ContainerRef {
  list: ContainerListName;
  index: number;
  container: Container;
}

/** Every container and init container, in start order (init containers first). */
export function listContainers(pod: Pod): ContainerRef[] {
  const refs: ContainerRef[] = [];
  for (const list of CONTAINER_LISTS) {
    const containers = pod.spec?.[list];
    if (!Array.isArray(containers)) continue;
    containers.forEach((container, index) => refs.push({ list, index, container }));
  }
  return refs;
}

/** The name to show for a pod: `name`, else `generateName*`, else `<unnamed>` (GitLab <= 16.1 leaves name empty). */
export function podDisplayName(pod: Pod, requestName?: string): string {
  if (requestName) return requestName;
  if (pod.metadata?.name) return pod.metadata.name;
  if (pod.metadata?.generateName) return `${pod.metadata.generateName}*`;
  return "<unnamed>";
}
