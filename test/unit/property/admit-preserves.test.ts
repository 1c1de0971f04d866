/**
 * What the webhook must never touch (research/ci-pod-shapes.md, "Traps" 1, 2, 5, 6, 11): runners drive
 * containers through image, command, args, stdin, tty and workingDir; existing list elements keep their
 * place and value; labels and other annotations stay; non-CI, Windows and opted-out pods are left alone.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Config } from "../../../src/config/schema.js";
import type { Container, Pod } from "../../../src/k8s/pod.js";
import { admitPod, explain } from "./support/admit-helpers.js";
import { referenceActsOn } from "./support/reference-classify.js";
import { params } from "./support/runs.js";
import { scenarioArb } from "./support/scenario.js";

const MUTATED_ANNOTATION = "ci-pod-webhook.io/mutated";

test("admit – a pod it must not act on (not CI, Windows, opted out) is skipped; every other pod is evaluated", () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const decision = admitPod(s.generated.pod, s);
      const actsOn = referenceActsOn(s.generated.pod, s.cfg.config);
      assert.equal(decision.kind === "skipped", !actsOn, `${s.generated.kind} pod: ${explain(decision)}`);
    }),
    params(1000),
  );
});

test("admit – a mutation keeps every container field, list element, label and annotation it found", () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const decision = admitPod(s.generated.pod, s);
      if (decision.kind !== "mutated") return;
      assertPreserved(s.generated.pod, decision.pod, s.cfg.config);
    }),
    params(1200),
  );
});

function assertPreserved(input: Pod, output: Pod, config: Config): void {
  assert.equal(output.apiVersion, input.apiVersion);
  assert.equal(output.kind, input.kind);
  const { annotations: inAnn, ...inMeta } = input.metadata ?? {};
  const { annotations: outAnn, ...outMeta } = output.metadata ?? {};
  assert.deepStrictEqual(outMeta, inMeta, "metadata other than annotations changed");
  const { [MUTATED_ANNOTATION]: _in, ...otherIn } = inAnn ?? {};
  const { [MUTATED_ANNOTATION]: _out, ...otherOut } = outAnn ?? {};
  assert.deepStrictEqual(otherOut, otherIn, "annotations other than ci-pod-webhook.io/mutated changed");

  const inSpec = input.spec!;
  const outSpec = output.spec!;
  const strip = ({ containers: _c, initContainers: _i, volumes: _v, hostAliases: _h, dnsConfig: _d, ...rest }: typeof inSpec) => rest;
  assert.deepStrictEqual(strip(outSpec), strip(inSpec), "spec fields the webhook never edits changed");

  for (const list of ["initContainers", "containers"] as const) {
    const before = inSpec[list];
    const after = outSpec[list];
    if (before === undefined) {
      assert.equal(after, undefined, `spec.${list} appeared`);
      continue;
    }
    assert.equal(after?.length, before.length, `spec.${list} changed length`);
    before.forEach((c, i) => assertContainerPreserved(c, after![i]!, `spec.${list}[${i}]`, config));
  }

  assertAppendedOnly(inSpec.volumes, outSpec.volumes, "spec.volumes", (v) => {
    assert.equal(v.name, config.caTrust.volumeName, "only the CA volume is added");
    assert.deepStrictEqual(v.configMap, { name: config.caTrust.configMapName });
  });
  assertAppendedOnly(inSpec.hostAliases, outSpec.hostAliases, "spec.hostAliases", (a) => {
    assert.equal(a.ip, config.dockerHostAlias.ip, "only the configured alias IP is added");
  });

  const inDns = inSpec.dnsConfig;
  const outDns = outSpec.dnsConfig;
  assert.deepStrictEqual(outDns?.nameservers, inDns?.nameservers, "dnsConfig.nameservers changed");
  assert.deepStrictEqual(outDns?.searches, inDns?.searches, "dnsConfig.searches changed");
  const override = config.dns.override && inSpec.dnsPolicy !== "None";
  const inOptions = inDns?.options ?? [];
  const outOptions = outDns?.options ?? [];
  assert.ok(outOptions.length >= inOptions.length, "dnsConfig.options lost elements");
  inOptions.forEach((o, i) => {
    const now = outOptions[i]!;
    if (!override) return assert.deepStrictEqual(now, o, `dnsConfig.options[${i}] changed`);
    assert.equal(now.name, o.name, `dnsConfig.options[${i}] was replaced by another option`);
    const wanted = config.dns.options.filter((w) => w.name === o.name).map((w) => w.value);
    assert.ok(now.value === o.value || wanted.includes(now.value), `dnsConfig.options[${i}] got a value the config does not hold`);
  });
}

function assertContainerPreserved(before: Container, after: Container, where: string, config: Config): void {
  const { env: envBefore, volumeMounts: mountsBefore, ...restBefore } = before;
  const { env: envAfter, volumeMounts: mountsAfter, ...restAfter } = after;
  // image, command, args, stdin, stdinOnce, tty, workingDir, restartPolicy, probes, securityContext, ...
  assert.deepStrictEqual(restAfter, restBefore, `${where}: a field other than env/volumeMounts changed`);
  const existingNames = new Set((envBefore ?? []).map((e) => e.name));
  assertAppendedOnly(envBefore, envAfter, `${where}.env`, (e) => {
    assert.ok(config.caTrust.envVars.includes(e.name), `${where}: added env ${e.name} is not a configured CA variable`);
    assert.ok(!existingNames.has(e.name), `${where}: env ${e.name} was already set by the job`);
  });
  assertAppendedOnly(mountsBefore, mountsAfter, `${where}.volumeMounts`, (m) => {
    assert.equal(m.name, config.caTrust.volumeName, `${where}: added a mount of another volume`);
    assert.equal(m.readOnly, true, `${where}: CA mount is not read-only`);
  });
}

/** `after` is `before` followed by new elements, each checked by `checkAdded`. */
function assertAppendedOnly<T>(before: T[] | undefined, after: T[] | undefined, where: string, checkAdded: (item: T) => void): void {
  const prior = before ?? [];
  const next = after ?? [];
  assert.ok(next.length >= prior.length, `${where} lost elements`);
  assert.deepStrictEqual(next.slice(0, prior.length), prior, `${where}: an existing element changed or moved`);
  if (before !== undefined && after === undefined) assert.fail(`${where} was removed`);
  next.slice(prior.length).forEach(checkAdded);
}
