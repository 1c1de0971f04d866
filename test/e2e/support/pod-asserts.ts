/**
 * Assertions on pods as the API server stored them, against the fixture as sent. Written from the
 * fixture README's rules ("CA", "ndots", "docker alias"), not from the webhook's code.
 */
import assert from "node:assert/strict";
import { posix } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { defaultConfig } from "../../../src/config/load-config.js";
import type { Container, Pod } from "../../../src/k8s/pod.js";

export const MUTATED_ANNOTATION = "ci-pod-webhook.io/mutated";
const CA = defaultConfig().caTrust;
export const CA_VOLUME = CA.volumeName;
export const CA_BUNDLE_PATH = posix.join(CA.mountDir, CA.key);

/** Init containers then containers, as the pod starts them. */
export function allContainers(pod: Pod): Container[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

/**
 * Values the API server may legitimately drop: Go zero values omitted on serialisation (`omitempty`:
 * "", false, 0, null) and empty objects (e.g. GitLab's pod-level `resources: {}`, a field of the
 * PodLevelResources feature, off by default in 1.33, which the API server clears).
 */
function isZero(v: unknown): boolean {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) return Object.keys(v).length === 0;
  return v === "" || v === false || v === 0 || v === null || v === undefined;
}

/**
 * `sent` is contained in `stored`: every field sent is there with the same value (the API server only
 * adds defaults and drops zero values), objects recursively; arrays element by element, with `stored`
 * allowed to be longer only where `appendOk(path)` says so (env, volumeMounts, volumes).
 */
export function assertSentKept(sent: unknown, stored: unknown, where: string, appendOk: (path: string) => boolean = () => false): void {
  if (isZero(sent) && isZero(stored)) return;
  if (Array.isArray(sent)) {
    assert.ok(Array.isArray(stored), `${where}: expected an array, got ${JSON.stringify(stored)}`);
    if (appendOk(where)) assert.ok(stored.length >= sent.length, `${where}: elements removed (${sent.length} sent, ${stored.length} stored)`);
    else assert.equal(stored.length, sent.length, `${where}: ${sent.length} elements sent, ${stored.length} stored`);
    sent.forEach((item, i) => assertSentKept(item, stored[i], `${where}[${i}]`, appendOk));
    return;
  }
  if (sent !== null && typeof sent === "object") {
    assert.ok(stored !== null && typeof stored === "object" && !Array.isArray(stored), `${where}: expected an object, got ${JSON.stringify(stored)}`);
    for (const [key, value] of Object.entries(sent)) {
      assertSentKept(value, (stored as Record<string, unknown>)[key], `${where}.${key}`, appendOk);
    }
    return;
  }
  assert.deepEqual(stored, sent, `${where} changed`);
}

/** Lists the webhook (and the ServiceAccount plugin) may append to. */
export const APPENDABLE = (path: string): boolean => /\.(env|volumeMounts|volumes|hostAliases)$/.test(path) || /dnsConfig\.options$/.test(path);

/** Containers, in order, with the fields CI systems drive them through exactly as sent. */
export function assertContainersUntouched(sent: Pod, stored: Pod): void {
  for (const list of ["initContainers", "containers"] as const) {
    const before = sent.spec?.[list] ?? [];
    const after = stored.spec?.[list] ?? [];
    assert.deepEqual(after.map((c) => c.name), before.map((c) => c.name), `spec.${list}: names or order changed`);
    before.forEach((b, i) => {
      const a = after[i]!;
      for (const field of ["image", "command", "args", "stdin", "stdinOnce", "tty", "restartPolicy", "workingDir", "terminationMessagePath"] as const) {
        if (isZero(b[field]) && isZero(a[field])) continue;
        if (field === "terminationMessagePath" && b[field] === undefined) continue; // defaulted by the API server
        assert.deepEqual(a[field], b[field], `spec.${list}[${i}] (${b.name}).${field} changed`);
      }
      assertSentKept(b, a, `spec.${list}[${i}]`, APPENDABLE);
    });
  }
  for (const field of ["restartPolicy", "serviceAccountName", "nodeSelector", "activeDeadlineSeconds", "dnsPolicy"] as const) {
    if (sent.spec?.[field] !== undefined) assert.deepEqual(stored.spec?.[field], sent.spec[field], `spec.${field} changed`);
  }
  assertSentKept(sent.spec, stored.spec, "spec", APPENDABLE);
  assertSentKept(sent.metadata?.labels ?? {}, stored.metadata?.labels ?? {}, "metadata.labels");
  assertSentKept(sent.metadata?.ownerReferences ?? [], stored.metadata?.ownerReferences ?? [], "metadata.ownerReferences");
  const { [MUTATED_ANNOTATION]: _added, ...otherAnnotations } = stored.metadata?.annotations ?? {};
  assert.deepEqual(otherAnnotations, sent.metadata?.annotations ?? {}, "annotations other than ci-pod-webhook.io/mutated changed");
}

/** "CA": the bundle volume, a read-only mount of it in every container and init container, and the CA env vars where unset. */
export function assertCaInjected(sent: Pod, stored: Pod, extraContainers: string[] = []): void {
  const volumes = (stored.spec?.volumes ?? []).filter((v) => v.name === CA_VOLUME);
  assert.equal(volumes.length, 1, `exactly one volume ${CA_VOLUME}`);
  assert.equal(volumes[0]!.configMap?.name, CA.configMapName, `volume ${CA_VOLUME} is the ConfigMap ${CA.configMapName}`);
  const sentByName = new Map(allContainers(sent).map((c) => [c.name, c]));
  const names = allContainers(stored).map((c) => c.name);
  assert.deepEqual(names.filter((n) => !sentByName.has(n)), extraContainers, "containers besides the fixture's");
  for (const c of allContainers(stored)) {
    const mounts = (c.volumeMounts ?? []).filter((m) => m.name === CA_VOLUME);
    assert.equal(mounts.length, 1, `container ${c.name}: exactly one mount of ${CA_VOLUME}`);
    assert.equal(mounts[0]!.mountPath, CA.mountDir, `container ${c.name}: CA mount path`);
    assert.equal(mounts[0]!.readOnly, true, `container ${c.name}: CA mount read-only`);
    const original = sentByName.get(c.name);
    for (const name of CA.envVars) {
      const entries = (c.env ?? []).filter((e) => e.name === name);
      assert.equal(entries.length, 1, `container ${c.name}: exactly one env ${name}`);
      const sentEntry = original?.env?.find((e) => e.name === name);
      if (sentEntry) assert.deepEqual(entries[0], sentEntry, `container ${c.name}: the job's own ${name} kept`);
      else assert.equal(entries[0]!.value, CA_BUNDLE_PATH, `container ${c.name}: ${name}`);
    }
  }
}

/** No CA volume, mount or env anywhere. */
export function assertNoCa(stored: Pod): void {
  assert.ok(!(stored.spec?.volumes ?? []).some((v) => v.name === CA_VOLUME), `no volume ${CA_VOLUME}`);
  for (const c of allContainers(stored)) {
    assert.ok(!(c.volumeMounts ?? []).some((m) => m.name === CA_VOLUME), `container ${c.name}: no CA mount`);
    assert.ok(!(c.env ?? []).some((e) => e.value === CA_BUNDLE_PATH), `container ${c.name}: no CA env`);
  }
}

export function hasCaMount(pod: Pod, container?: string): boolean {
  return allContainers(pod).some((c) => (container === undefined || c.name === container) && (c.volumeMounts ?? []).some((m) => m.name === CA_VOLUME));
}

/** "ndots": exactly one ndots option, the configured value unless the pod had one, every sent option kept. */
export function assertDnsMerged(sent: Pod, stored: Pod): void {
  const options = stored.spec?.dnsConfig?.options ?? [];
  const ndots = options.filter((o) => o.name === "ndots");
  assert.equal(ndots.length, 1, `exactly one ndots option, got ${JSON.stringify(options)}`);
  const sentNdots = sent.spec?.dnsConfig?.options?.find((o) => o.name === "ndots");
  const configured = defaultConfig().dns.options.find((o) => o.name === "ndots")!;
  assert.equal(ndots[0]!.value, sentNdots?.value ?? configured.value, "ndots value");
  for (const option of sent.spec?.dnsConfig?.options ?? []) {
    assert.ok(options.some((o) => isDeepStrictEqual(o, option)), `dnsConfig option ${JSON.stringify(option)} kept`);
  }
}

/** "docker alias": exactly one host alias entry lists `docker` (127.0.0.1); the pod's own entries kept. */
export function assertDockerAlias(sent: Pod, stored: Pod): void {
  const aliases = stored.spec?.hostAliases ?? [];
  const docker = aliases.filter((a) => (a.hostnames ?? []).includes("docker"));
  assert.equal(docker.length, 1, `exactly one hostAliases entry for docker, got ${JSON.stringify(aliases)}`);
  assert.equal(docker[0]!.ip, "127.0.0.1");
  for (const [i, alias] of (sent.spec?.hostAliases ?? []).entries()) {
    assert.deepEqual(aliases[i], alias, `hostAliases[${i}] kept`);
  }
}
