/**
 * Copy-on-write helpers. A mutator never changes its input: it returns a new object that shares every
 * untouched subtree with the original, so `compare(original, mutated)` skips shared subtrees by identity
 * and the non-mutated parts of a large pod cost nothing to diff.
 */
import type { Container, ContainerListName, Pod, PodSpec } from "./pod.js";
import { CONTAINER_LISTS } from "./pod.js";

/** Returns `pod` with `spec` replaced by `update(spec)`; the same object when nothing changed. */
export function updateSpec(pod: Pod, update: (spec: PodSpec) => PodSpec): Pod {
  const spec = pod.spec ?? ({ containers: [] } as PodSpec);
  const next = update(spec);
  return next === spec ? pod : { ...pod, spec: next };
}

/**
 * Applies `update` to every container and init container (start order). Returns the same pod when no
 * container changed; otherwise a pod whose changed lists are new arrays holding the untouched containers as-is.
 */
export function updateContainers(
  pod: Pod,
  update: (container: Container, list: ContainerListName, index: number) => Container,
): Pod {
  return updateSpec(pod, (spec) => {
    let next = spec;
    for (const list of CONTAINER_LISTS) {
      const containers = spec[list];
      if (!Array.isArray(containers)) continue;
      let changed = false;
      const updated = containers.map((container, index) => {
        const result = update(container, list, index);
        if (result !== container) changed = true;
        return result;
      });
      if (changed) next = { ...next, [list]: updated };
    }
    return next;
  });
}

/** Appends `items` to an optional list without touching existing elements (JSON Patch `add` at the end). */
export function appendTo<T>(list: readonly T[] | undefined, items: readonly T[]): T[] {
  return [...(list ?? []), ...items];
}
