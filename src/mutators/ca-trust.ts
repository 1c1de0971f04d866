/**
 * ca-trust: mounts the CA bundle ConfigMap into every container and init container, points the usual CA
 * env vars at it where the job has not set them, optionally overlays the distro bundle files, and gives
 * DinD daemons `/etc/docker/certs.d/<registry>/ca.crt`.
 */
import { posix } from "node:path";
import type { Config } from "../config/schema.js";
import type { Container, Pod, Volume } from "../k8s/pod.js";
import { appendTo, updateContainers, updateSpec } from "../k8s/update.js";
import { planCaMounts } from "./ca-mounts.js";
import { addEnvIfAbsent, appendMounts } from "./container-edits.js";
import type { Mutator } from "./types.js";

export const applyCaTrust: Mutator = (pod, ctx) => {
  const ca = ctx.config.caTrust;
  if (!ctx.caBundlePresent) {
    const why = `ConfigMap ${ca.configMapName} not found in namespace ${ctx.namespace}`;
    return { kind: "unchanged", reason: why, warnings: [`ci-pod-webhook: CA bundle not injected: ${why}`] };
  }
  const existingVolume = (pod.spec?.volumes ?? []).find((v) => v?.name === ca.volumeName);
  if (existingVolume && existingVolume.configMap?.name !== ca.configMapName) {
    const why = `volume name ${ca.volumeName} is already used by another volume`;
    return { kind: "unchanged", reason: why, warnings: [`ci-pod-webhook: CA bundle not injected: ${why}`] };
  }

  const changes: string[] = [];
  const warnings: string[] = [];
  let usesVolume = existingVolume !== undefined;
  const envVars = caEnvVars(ca);
  const mutated = updateContainers(pod, (container, list, index) => {
    const name = typeof container.name === "string" ? container.name : `${list}[${index}]`;
    const plan = planCaMounts(container, ca);
    warnings.push(...plan.conflicts.map((c) => `ci-pod-webhook: container ${name}: ${c}`));
    if (plan.mounts.length > 0 || plan.alreadyMounted) usesVolume = true;
    let next = appendMounts(container, plan.mounts);
    if (plan.mounts.length > 0) changes.push(`${name}: mount ${plan.mounts.map((m) => m.mountPath).join(", ")}`);
    if (plan.setEnv) {
      const { container: withEnv, added } = addEnvIfAbsent(next, envVars);
      next = withEnv;
      if (added.length > 0) changes.push(`${name}: env ${added.join(", ")}`);
    }
    return next as Container;
  });

  const withVolume = usesVolume && !existingVolume ? addCaVolume(mutated, ca, changes) : mutated;
  if (withVolume === pod) {
    return { kind: "unchanged", reason: "CA bundle already mounted and env already set", warnings };
  }
  return { kind: "mutated", pod: withVolume, changes, warnings };
};

function addCaVolume(pod: Pod, ca: Config["caTrust"], changes: string[]): Pod {
  const volume: Volume = { name: ca.volumeName, configMap: { name: ca.configMapName } };
  changes.unshift(`volume ${ca.volumeName} (configMap ${ca.configMapName})`);
  return updateSpec(pod, (spec) => ({ ...spec, volumes: appendTo(spec.volumes, [volume]) }));
}

function caEnvVars(ca: Config["caTrust"]): { name: string; value: string }[] {
  const bundlePath = posix.join(ca.mountDir, ca.key);
  return ca.envVars.map((name) => ({ name, value: bundlePath }));
}
