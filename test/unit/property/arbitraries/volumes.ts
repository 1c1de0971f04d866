/**
 * Pod volumes: emptyDir, configMap and hostPath, under names CI systems use, names the webhook uses
 * (`ci-pod-webhook-ca`, from our ConfigMap or from another source), and random DNS-1123 labels.
 */
import fc from "fast-check";
import { dnsLabelArb } from "./names.js";

const VOLUME_NAMES = [
  "repo", "scripts", "logs", "docker-certs", "dind-sock", "work", "workspace-volume", "tekton-internal-run-0",
  "volume-0", "ci-pod-webhook-ca", "ci-ca",
];

export const volumeNameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...VOLUME_NAMES) },
  { weight: 1, arbitrary: dnsLabelArb },
);

const sourceArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.constant({ emptyDir: {} }),
  fc.constant({ emptyDir: { medium: "Memory" } }),
  fc.constantFrom("ci-ca-bundle", "other-ca", "gitlab-scripts").map((name) => ({ configMap: { name } })),
  fc.constantFrom(
    { path: "/var/run/docker.sock", type: "Socket" },
    { path: "/dev" },
    { path: "/var/lib/docker" },
  ).map((hostPath) => ({ hostPath })),
);

/** Volumes with unique names. */
export const volumesArb: fc.Arbitrary<Record<string, unknown>[]> = fc
  .uniqueArray(fc.tuple(volumeNameArb, sourceArb), { selector: ([name]) => name, maxLength: 5 })
  .map((entries) => entries.map(([name, source]) => ({ name, ...source })));
