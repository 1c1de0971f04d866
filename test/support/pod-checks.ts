/**
 * Checks every admitted pod must pass, written independently of src/mutators/invariants.ts so the two
 * can catch each other's mistakes. Each throws an AssertionError naming the offending path.
 */
import assert from "node:assert/strict";
import { posix } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { Pod as PodModel } from "kubernetes-models/v1";
import type { Container, Pod } from "../../src/k8s/pod.js";
import type { PatchOperation } from "../../src/patch/diff.js";
import { MUTATED_ANNOTATION } from "../../src/mutators/mutated-annotation.js";

const RUNNER_FIELDS = [
  "name", "image", "command", "args", "stdin", "stdinOnce", "tty", "workingDir", "restartPolicy",
  "terminationMessagePath", "terminationMessagePolicy", "startupProbe", "readinessProbe", "livenessProbe",
  "securityContext", "resources", "imagePullPolicy", "lifecycle",
] as const;
const APPEND_ONLY_CONTAINER_LISTS = ["env", "volumeMounts", "envFrom", "ports"] as const;

/** The pod passes the Kubernetes OpenAPI schema (kubernetes-models). */
export function assertSchemaValid(pod: Pod): void {
  assert.doesNotThrow(() => new PodModel(pod as never).validate(), "pod does not validate against the v1 Pod schema");
}

/**
 * API-server rules the schema cannot express: volume names unique, every mount names a volume of the pod,
 * no container mounts two volumes at the same (normalised) path.
 */
export function assertMountsConsistent(pod: Pod): void {
  const volumes = (pod.spec?.volumes ?? []).map((v) => v.name);
  assert.equal(new Set(volumes).size, volumes.length, `duplicate volume names: ${volumes.join(", ")}`);
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const paths = new Set<string>();
    for (const mount of c.volumeMounts ?? []) {
      assert.ok(volumes.includes(mount.name), `container ${c.name}: mount ${mount.mountPath} names missing volume ${mount.name}`);
      const normalised = posix.resolve("/", mount.mountPath);
      assert.ok(!paths.has(normalised), `container ${c.name}: two mounts at ${normalised}`);
      paths.add(normalised);
    }
  }
}

/**
 * What the CI systems rely on is unchanged: every field runners drive a container through, the order and
 * content of every existing list element, labels, other annotations, DNS policy and host networking.
 * `dnsOptionsMayChange` allows existing dnsConfig options to be replaced (dns.override).
 */
export function assertRunnerContractKept(original: Pod, mutated: Pod, opts: { dnsOptionsMayChange?: boolean } = {}): void {
  for (const list of ["initContainers", "containers"] as const) {
    const before = original.spec?.[list] ?? [];
    const after = mutated.spec?.[list] ?? [];
    assert.equal(after.length, before.length, `spec.${list}: containers added or removed`);
    before.forEach((b, i) => {
      const a = after[i] as Container;
      for (const field of RUNNER_FIELDS) assert.deepEqual(a[field], b[field], `spec.${list}[${i}] (${b.name}).${field} changed`);
      for (const inner of APPEND_ONLY_CONTAINER_LISTS) assertPrefix(b[inner], a[inner], `spec.${list}[${i}] (${b.name}).${inner}`);
    });
  }
  assertPrefix(original.spec?.volumes, mutated.spec?.volumes, "spec.volumes");
  assertPrefix(original.spec?.hostAliases, mutated.spec?.hostAliases, "spec.hostAliases");
  if (!opts.dnsOptionsMayChange) assertPrefix(original.spec?.dnsConfig?.options, mutated.spec?.dnsConfig?.options, "spec.dnsConfig.options");
  for (const field of ["dnsPolicy", "hostNetwork", "restartPolicy", "nodeSelector", "os", "securityContext", "serviceAccountName", "activeDeadlineSeconds", "resources"] as const) {
    assert.deepEqual(mutated.spec?.[field], original.spec?.[field], `spec.${field} changed`);
  }
  assert.deepEqual(mutated.spec?.dnsConfig?.nameservers, original.spec?.dnsConfig?.nameservers, "dnsConfig.nameservers changed");
  assert.deepEqual(mutated.spec?.dnsConfig?.searches, original.spec?.dnsConfig?.searches, "dnsConfig.searches changed");
  assert.deepEqual(mutated.metadata?.labels, original.metadata?.labels, "metadata.labels changed");
  const { [MUTATED_ANNOTATION]: _a, ...after } = mutated.metadata?.annotations ?? {};
  const { [MUTATED_ANNOTATION]: _b, ...before } = original.metadata?.annotations ?? {};
  assert.deepEqual(after, before, "annotations other than ci-pod-webhook.io/mutated changed");
  const { spec: _ms, metadata: mm, ...mutatedRest } = mutated;
  const { spec: _os, metadata: om, ...originalRest } = original;
  assert.deepEqual(mutatedRest, originalRest, "top-level fields other than metadata/spec changed");
  const { annotations: _ma, ...mmRest } = mm ?? {};
  const { annotations: _oa, ...omRest } = om ?? {};
  assert.deepEqual(mmRest, omRest, "metadata other than annotations changed");
}

/** Paths the webhook may write to; `replace` only inside dnsConfig (dns.override). */
const OWNED_PATHS = [
  /^\/spec\/volumes(\/\d+)?$/,
  /^\/spec\/(initContainers|containers)\/\d+\/(env|volumeMounts)(\/\d+)?$/,
  /^\/spec\/dnsConfig(\/options(\/\d+(\/value)?)?)?$/,
  /^\/spec\/hostAliases(\/\d+)?$/,
  /^\/metadata\/annotations(\/ci-pod-webhook\.io~1mutated)?$/,
];

/** Every patch operation adds (or, in dnsConfig, replaces) something at a path the webhook owns. */
export function assertPatchScope(patch: readonly PatchOperation[]): void {
  for (const op of patch) {
    assert.ok(OWNED_PATHS.some((re) => re.test(op.path)), `patch writes outside the webhook's fields: ${op.op} ${op.path}`);
    const replaceOk = op.op === "replace" && op.path.startsWith("/spec/dnsConfig/options/");
    assert.ok(op.op === "add" || replaceOk, `patch may only add (got ${op.op} ${op.path})`);
  }
}

function assertPrefix(before: readonly unknown[] | undefined, after: readonly unknown[] | undefined, where: string): void {
  if (!Array.isArray(before)) return;
  assert.ok(Array.isArray(after) && after.length >= before.length, `${where}: elements removed`);
  before.forEach((item, i) => {
    assert.ok(isDeepStrictEqual(after[i], item), `${where}[${i}] changed or moved`);
  });
}
