/** Value-returning edits of one container: append only, never replace what the pipeline author set. */
import type { Container, EnvVar, VolumeMount } from "../k8s/pod.js";
import { appendTo } from "../k8s/update.js";
import { normaliseMountPath, pathsOverlap } from "./mount-path.js";

/** Adds each env var whose name the container's `env` does not define yet. Returns the added names. */
export function addEnvIfAbsent(container: Container, vars: readonly EnvVar[]): { container: Container; added: string[] } {
  const env = container.env ?? [];
  const missing = vars.filter((v) => !env.some((e) => e?.name === v.name));
  if (missing.length === 0) return { container, added: [] };
  return { container: { ...container, env: appendTo(container.env, missing) }, added: missing.map((v) => v.name) };
}

/** Appends volume mounts at the end of the container's list. */
export function appendMounts(container: Container, mounts: readonly VolumeMount[]): Container {
  if (mounts.length === 0) return container;
  return { ...container, volumeMounts: appendTo(container.volumeMounts, mounts) };
}

export type MountSlot =
  | { state: "free" }
  | { state: "ours" }
  | { state: "taken"; byVolume: string; atPath: string };

/**
 * Whether `mountPath` can take a mount of `volumeName`: already ours (a reinvocation), free, or taken by
 * another volume mounted at, above or below it (duplicate mountPaths are rejected by the API, and a mount
 * inside another volume changes that volume).
 */
export function findMountSlot(container: Container, mountPath: string, volumeName: string): MountSlot {
  const target = normaliseMountPath(mountPath);
  for (const mount of container.volumeMounts ?? []) {
    if (typeof mount?.mountPath !== "string") continue;
    const existing = normaliseMountPath(mount.mountPath);
    if (mount.name === volumeName) {
      if (existing === target) return { state: "ours" };
      continue;
    }
    if (pathsOverlap(existing, target)) return { state: "taken", byVolume: String(mount.name), atPath: mount.mountPath };
  }
  return { state: "free" };
}
