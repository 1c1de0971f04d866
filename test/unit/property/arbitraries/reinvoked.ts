/**
 * Reinvocation inputs (research/ci-pod-shapes.md, trap 11): a pod this webhook already mutated, then changed
 * by another webhook before `reinvocationPolicy: IfNeeded` calls us again. Each change keeps the pod valid:
 * a mesh sidecar and init container appended, one container's CA mounts or CA env removed, our annotation
 * dropped, our host alias removed.
 */
import fc from "fast-check";
import type { Config } from "../../../../src/config/schema.js";
import type { Pod } from "../../../../src/k8s/pod.js";

export const CHANGES = ["sidecar", "init", "drop-ca-mounts", "drop-ca-env", "drop-annotation", "drop-alias"] as const;
export type OtherWebhookChange = (typeof CHANGES)[number];

export const changesArb: fc.Arbitrary<{ changes: OtherWebhookChange[]; target: number }> = fc.record({
  changes: fc.uniqueArray(fc.constantFrom(...CHANGES), { minLength: 1, maxLength: 3 }),
  target: fc.nat(),
});

/** Applies another webhook's changes to `pod` (a plain JSON copy is changed and returned). */
export function applyOtherWebhook(pod: Pod, config: Config, { changes, target }: { changes: OtherWebhookChange[]; target: number }): Pod {
  const next = JSON.parse(JSON.stringify(pod)) as Pod;
  const spec = next.spec!;
  const containers = spec.containers;
  const victim = containers[target % containers.length]!;
  const ca = config.caTrust;
  for (const change of changes) {
    if (change === "sidecar" && !containers.some((c) => c.name === "istio-proxy") && !(spec.volumes ?? []).some((v) => v.name === "istio-envoy")) {
      spec.volumes = [...(spec.volumes ?? []), { name: "istio-envoy", emptyDir: { medium: "Memory" } }];
      containers.push({ name: "istio-proxy", image: "docker.io/istio/proxyv2:1.24.0", args: ["proxy", "sidecar"], volumeMounts: [{ name: "istio-envoy", mountPath: "/etc/istio/proxy" }] });
    }
    if (change === "init" && !(spec.initContainers ?? []).some((c) => c.name === "istio-init") && !containers.some((c) => c.name === "istio-init")) {
      spec.initContainers = [...(spec.initContainers ?? []), { name: "istio-init", image: "docker.io/istio/proxyv2:1.24.0", args: ["istio-iptables"] }];
    }
    if (change === "drop-ca-mounts" && victim.volumeMounts) victim.volumeMounts = victim.volumeMounts.filter((m) => m.name !== ca.volumeName);
    if (change === "drop-ca-env" && victim.env) victim.env = victim.env.filter((e) => !ca.envVars.includes(e.name));
    if (change === "drop-annotation" && next.metadata?.annotations) delete next.metadata.annotations["ci-pod-webhook.io/mutated"];
    if (change === "drop-alias" && spec.hostAliases) spec.hostAliases = spec.hostAliases.filter((a) => a.ip !== config.dockerHostAlias.ip);
  }
  return next;
}
