/** Plans the CA mounts for one container: which to add, which are already there, which paths are taken. */
import { posix } from "node:path";
import type { Config } from "../config/schema.js";
import type { Container, VolumeMount } from "../k8s/pod.js";
import { findMountSlot } from "./container-edits.js";
import { isDindContainer } from "./dind.js";

export interface CaMountPlan {
  mounts: VolumeMount[];
  /** The CA directory is already mounted from our volume (a reinvocation). */
  alreadyMounted: boolean;
  /** Set the CA env vars: false when another volume holds the CA directory. */
  setEnv: boolean;
  conflicts: string[];
}

export function planCaMounts(container: Container, ca: Config["caTrust"]): CaMountPlan {
  const plan: CaMountPlan = { mounts: [], alreadyMounted: false, setEnv: true, conflicts: [] };
  const dir = findMountSlot(container, ca.mountDir, ca.volumeName);
  if (dir.state === "taken") {
    plan.setEnv = false;
    plan.conflicts.push(`CA dir ${ca.mountDir} overlaps volume ${dir.byVolume} at ${dir.atPath}; CA mount and CA env vars skipped`);
    return plan;
  }
  if (dir.state === "ours") plan.alreadyMounted = true;
  else plan.mounts.push({ name: ca.volumeName, mountPath: ca.mountDir, readOnly: true });

  const files = [
    ...(ca.overlaySystemPaths ? ca.systemBundlePaths : []),
    ...(ca.dockerRegistries.length > 0 && isDindContainer(container) ? ca.dockerRegistries.map((r) => posix.join("/etc/docker/certs.d", r, "ca.crt")) : []),
  ];
  for (const path of files) {
    const slot = findMountSlot({ ...container, volumeMounts: [...(container.volumeMounts ?? []), ...plan.mounts] }, path, ca.volumeName);
    if (slot.state === "free") plan.mounts.push({ name: ca.volumeName, mountPath: path, subPath: ca.key, readOnly: true });
    else if (slot.state === "taken") plan.conflicts.push(`${path} overlaps volume ${slot.byVolume} at ${slot.atPath}; skipped`);
  }
  return plan;
}
