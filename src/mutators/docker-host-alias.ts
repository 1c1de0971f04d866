/**
 * docker-host-alias: jobs copied from docker-executor docs use `DOCKER_HOST=tcp://docker:2375`; in a pod the
 * DinD daemon listens on localhost, so `docker` must resolve to 127.0.0.1. Merges by hostname and appends:
 * /etc/hosts takes the first match, so existing entries keep their order and win.
 */
import type { HostAlias } from "../k8s/pod.js";
import { appendTo, updateSpec } from "../k8s/update.js";
import { hasDindContainer } from "./dind.js";
import type { Mutator } from "./types.js";

export const applyDockerHostAlias: Mutator = (pod, ctx) => {
  const { when, ip, hostnames } = ctx.config.dockerHostAlias;
  if (when === "dind" && !hasDindContainer(pod)) return { kind: "unchanged", reason: "no DinD container in the pod" };
  const existing: HostAlias[] = Array.isArray(pod.spec?.hostAliases) ? pod.spec.hostAliases : [];
  const missing: string[] = [];
  const warnings: string[] = [];
  for (const hostname of hostnames) {
    const entry = existing.find((alias) => Array.isArray(alias?.hostnames) && alias.hostnames.includes(hostname));
    if (!entry) missing.push(hostname);
    else if (entry.ip !== ip) {
      warnings.push(`ci-pod-webhook: hostAliases already map ${hostname} to ${String(entry.ip)}; kept, not mapped to ${ip}`);
    }
  }
  if (missing.length === 0) return { kind: "unchanged", reason: "host alias already present", warnings };
  const alias: HostAlias = { ip, hostnames: missing };
  const mutated = updateSpec(pod, (spec) => ({ ...spec, hostAliases: appendTo(spec.hostAliases, [alias]) }));
  return { kind: "mutated", pod: mutated, changes: [`add ${ip} -> ${missing.join(", ")}`], warnings };
};
