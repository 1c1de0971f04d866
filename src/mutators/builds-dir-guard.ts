/**
 * builds-dir-guard: refuses pods that mount a volume at or over a system directory. The incident: a GitLab
 * runner whose builds_dir came out as `/$GROUP` mounted the checkout volume over `/dev` for group `dev`,
 * and every job of that group died with "no such file or directory".
 */
import type { Config } from "../config/schema.js";
import type { Pod } from "../k8s/pod.js";
import { listContainers } from "../k8s/pod.js";
import { isAtOrUnder, normaliseMountPath } from "./mount-path.js";
import type { Mutator } from "./types.js";

export interface SystemPathMount {
  container: string;
  volume: string;
  mountPath: string;
  resolved: string;
}

export const guardBuildsDir: Mutator = (pod, ctx) => {
  const offenders = findSystemPathMounts(pod, ctx.config.buildsDir);
  const first = offenders[0];
  if (!first) return { kind: "unchanged", reason: "no volume mounted over a system directory" };
  return { kind: "denied", code: "BUILDS_DIR_SYSTEM_PATH", message: describeDenial(first, offenders.length, ctx.system) };
};

/** Every mount that resolves to a denied path, in start order (init containers first). */
export function findSystemPathMounts(pod: Pod, rules: Config["buildsDir"]): SystemPathMount[] {
  const found: SystemPathMount[] = [];
  for (const { container } of listContainers(pod)) {
    for (const mount of container.volumeMounts ?? []) {
      if (typeof mount?.mountPath !== "string") continue;
      const resolved = normaliseMountPath(mount.mountPath);
      if (isSystemPath(resolved, rules)) {
        found.push({ container: String(container.name), volume: String(mount.name), mountPath: mount.mountPath, resolved });
      }
    }
  }
  return found;
}

/** Exactly a denied path, or anywhere in a denied tree, and not at or below an allowed path. */
export function isSystemPath(resolved: string, rules: Config["buildsDir"]): boolean {
  const { allowed, denied, trees } = normalisedRules(rules);
  if (allowed.some((dir) => isAtOrUnder(resolved, dir))) return false;
  if (denied.has(resolved)) return true;
  return trees.some((tree) => isAtOrUnder(resolved, tree));
}

const rulesCache = new WeakMap<Config["buildsDir"], { allowed: string[]; denied: Set<string>; trees: string[] }>();

/** Config is immutable per snapshot, so its normalised lists are computed once per config. */
function normalisedRules(rules: Config["buildsDir"]) {
  let cached = rulesCache.get(rules);
  if (!cached) {
    cached = {
      allowed: rules.allowedPaths.map(normaliseMountPath),
      denied: new Set(rules.deniedPaths.map(normaliseMountPath)),
      trees: rules.deniedTrees.map(normaliseMountPath),
    };
    rulesCache.set(rules, cached);
  }
  return cached;
}

function describeDenial(first: SystemPathMount, count: number, system: string): string {
  const resolvedNote = first.resolved === first.mountPath ? "" : ` (resolves to ${first.resolved})`;
  const more = count > 1 ? ` (${count - 1} more mount${count > 2 ? "s" : ""} like it)` : "";
  return (
    `BUILDS_DIR_SYSTEM_PATH: container "${first.container}" mounts volume "${first.volume}" at ` +
    `"${first.mountPath}"${resolvedNote}, over the system directory ${first.resolved}${more}; ` +
    `the container's own ${first.resolved} would be hidden and the job would fail. Fix: ${suggestFix(first, system)}`
  );
}

function suggestFix(mount: SystemPathMount, system: string): string {
  if (system === "gitlab" && mount.volume === "repo") {
    return "set builds_dir (RUNNER_BUILDS_DIR) in the GitLab Runner config to a path such as /builds.";
  }
  return `mount volume "${mount.volume}" outside the system directories (for example under /builds or /workspace).`;
}
