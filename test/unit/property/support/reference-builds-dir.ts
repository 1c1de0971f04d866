/**
 * An independent reference for the builds-dir guard (deliberately not src/mutators/mount-path.ts):
 * POSIX normalisation with a segment stack, and the denied / allowed rules written out directly.
 */
import type { Config } from "../../../../src/config/schema.js";
import type { Pod } from "../../../../src/k8s/pod.js";

/** Relative paths resolve from `/`; empty and `.` segments vanish; `..` pops (never above the root). */
export function normalisePosix(path: string): string {
  const stack: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") stack.pop();
    else stack.push(segment);
  }
  return `/${stack.join("/")}`;
}

function within(path: string, dir: string): boolean {
  const pathSegments = path === "/" ? [] : path.slice(1).split("/");
  const dirSegments = dir === "/" ? [] : dir.slice(1).split("/");
  return dirSegments.length <= pathSegments.length && dirSegments.every((s, i) => pathSegments[i] === s);
}

export function referenceIsSystemPath(mountPath: string, rules: Config["buildsDir"]): boolean {
  const path = normalisePosix(mountPath);
  if (rules.allowedPaths.some((allowed) => within(path, normalisePosix(allowed)))) return false;
  if (rules.deniedPaths.some((denied) => path === normalisePosix(denied))) return true;
  return rules.deniedTrees.some((tree) => within(path, normalisePosix(tree)));
}

/** Every mountPath, in init containers and containers, that the guard must refuse. */
export function referenceOffendingMounts(pod: Pod, rules: Config["buildsDir"]): string[] {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return containers.flatMap((c) => (c.volumeMounts ?? []).map((m) => m.mountPath)).filter((p) => referenceIsSystemPath(p, rules));
}
