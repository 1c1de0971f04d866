/**
 * Pod annotations can only make the webhook do less, never more. Whatever a pod's author puts in its
 * annotations (our own `ci-pod-webhook.io/mutated` record, `skip` in any spelling, made-up switches such as
 * `ci-pod-webhook.io/dns: "true"`), the webhook applies exactly the mutations it applies without them, or
 * skips the pod when `ci-pod-webhook.io/skip` is exactly "true" and the config honours it. No annotation
 * turns on a mutator the config disables, lifts a denial, or touches another annotation.
 * (An operator can opt pods in by annotation with `detectors.custom[].matchAnnotations`; that is config.)
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Decision } from "../../src/admission/decision.js";
import type { Config } from "../../src/config/schema.js";
import type { Pod } from "../../src/k8s/pod.js";
import type { PatchOperation } from "../../src/patch/diff.js";
import { admitPod } from "../support/admit.js";
import { configWith } from "../support/config.js";
import { CleanupStack, startInProcess, type InProcessServer } from "../support/server-process.js";
import { decodePatch, loadSharedFixture, podReview, postReview, SHARED_FIXTURE_NAMES, type TlsTarget } from "../support/tls-client.js";

const SKIP = "ci-pod-webhook.io/skip";
const MUTATED = "ci-pod-webhook.io/mutated";
const MUTATORS = ["builds-dir-guard", "ca-trust", "dns", "docker-host-alias"];

const CONFIGS: [string, Config][] = [
  ["defaults", configWith({})],
  ["ca-trust disabled", configWith({ caTrust: { enabled: false } })],
  ["dns disabled", configWith({ dns: { enabled: false } })],
  ["docker-host-alias disabled", configWith({ dockerHostAlias: { enabled: false } })],
  ["builds-dir guard disabled", configWith({ buildsDir: { enabled: false } })],
  ["every mutator disabled", configWith({ caTrust: { enabled: false }, dns: { enabled: false }, dockerHostAlias: { enabled: false }, buildsDir: { enabled: false } })],
  ["audit mode", configWith({ mode: "audit" })],
  ["skip annotation not honoured", configWith({ honourSkipAnnotation: false })],
  ["builds-dir guard warns", configWith({ buildsDir: { action: "warn" } })],
];

const annotationKey = fc.oneof(
  fc.constantFrom(SKIP, MUTATED),
  fc.constantFrom(...["enable", "enabled", "inject", "force", "mode", "config", "override", "ndots", "ca", "unskip", ...MUTATORS].map((k) => `ci-pod-webhook.io/${k}`)),
  fc.string({ maxLength: 40 }),
);
const annotationValue = fc.oneof(
  fc.constantFrom("true", "false", "True", "TRUE", "1", "0", "yes", "on", "", " true", "true ", "enforce", "all", "*", "none"),
  fc.subarray(MUTATORS).map((names) => names.join(",")),
  fc.string({ maxLength: 40 }),
);
const annotationsArb = fc.dictionary(annotationKey, annotationValue, { minKeys: 1, maxKeys: 6 });

function withAnnotations(pod: Pod, annotations: Record<string, string>): Pod {
  const copy = structuredClone(pod);
  copy.metadata = { ...copy.metadata, annotations: { ...copy.metadata?.annotations, ...annotations } };
  return copy;
}

/** Patch operations outside `metadata.annotations` (that record is compared separately). */
function podOps(decision: Decision): PatchOperation[] {
  return decision.kind === "mutated" ? decision.patch.filter((op) => !op.path.startsWith("/metadata/annotations")) : [];
}

function enabledMutators(config: Config): string[] {
  return [
    ...(config.buildsDir.enabled ? ["builds-dir-guard"] : []), ...(config.caTrust.enabled ? ["ca-trust"] : []),
    ...(config.dns.enabled ? ["dns"] : []), ...(config.dockerHostAlias.enabled ? ["docker-host-alias"] : []),
  ];
}

/** The assertion: `annotated` does what `plain` does, or less (a skip the config honours). */
function assertNoMore(plain: Decision, annotated: Decision, annotations: Record<string, string>, config: Config, what: string): void {
  if (annotations[SKIP] === "true" && config.honourSkipAnnotation && plain.kind !== "skipped") {
    assert.equal(annotated.kind, "skipped", `${what}: skip=true honoured`);
    return;
  }
  assert.equal(annotated.kind, plain.kind, `${what}: the decision changed`);
  assert.deepEqual(podOps(annotated), podOps(plain), `${what}: the patch outside annotations changed`);
  if (plain.kind === "denied" && annotated.kind === "denied") assert.equal(annotated.code, plain.code);
  if (annotated.kind === "mutated" && plain.kind === "mutated") {
    assert.deepEqual(annotated.applied, plain.applied, `${what}: other mutators applied`);
    for (const name of annotated.applied) assert.ok(enabledMutators(config).includes(name), `${what}: ${name} is disabled in config`);
    const touched = annotated.patch.filter((op) => op.path.startsWith("/metadata/annotations"));
    for (const op of touched) assert.equal(op.path, "/metadata/annotations/ci-pod-webhook.io~1mutated", `${what}: another annotation touched (${op.path})`);
  }
  if (annotated.kind === "unchanged" && plain.kind === "unchanged") assert.deepEqual(annotated.audit?.wouldBe, plain.audit?.wouldBe);
}

describe("annotations can only make the webhook do less", () => {
  for (const [configName, config] of CONFIGS) {
    test(`${configName}: any annotations on any fixture – same mutations, or skipped by skip=true`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...SHARED_FIXTURE_NAMES), annotationsArb, (fixture, annotations) => {
          const pod = loadSharedFixture(fixture);
          const plain = admitPod(pod, { config });
          assertNoMore(plain, admitPod(withAnnotations(pod, annotations), { config }), annotations, config, `${fixture} ${JSON.stringify(annotations)}`);
        }),
        { numRuns: 150 },
      );
    });
  }

  test("our own record, set by the author, neither suppresses nor adds a mutation", () => {
    for (const fixture of SHARED_FIXTURE_NAMES) {
      for (const value of ["", "ca-trust", MUTATORS.join(","), "dns,evil,ca-trust", `${"x,".repeat(1000)}dns`]) {
        const pod = loadSharedFixture(fixture);
        const config = configWith({});
        assertNoMore(admitPod(pod, { config }), admitPod(withAnnotations(pod, { [MUTATED]: value }), { config }), { [MUTATED]: value }, config, `${fixture} mutated=${value.slice(0, 30)}`);
      }
    }
  });
});

describe("annotations over HTTPS (dns disabled in config)", () => {
  const cleanup = new CleanupStack();
  let server: InProcessServer;
  let target: TlsTarget;
  before(async () => {
    server = await startInProcess(cleanup, { config: "caTrust:\n  checkPresence: false\ndns:\n  enabled: false\n" });
    target = { port: server.port, ca: server.ca };
  });
  after(() => cleanup.run());

  const claims = { [MUTATED]: MUTATORS.join(","), [SKIP]: "false", "ci-pod-webhook.io/dns": "true", "ci-pod-webhook.io/enable": "dns" };

  test("a GitLab pod claiming every mutation and asking for dns – the CA patch it gets anyway, no dnsConfig", async () => {
    const pod = loadSharedFixture("gitlab-attach-dind");
    const plain = decodePatch(await postReview(target, podReview(pod))) ?? [];
    const claimed = decodePatch(await postReview(target, podReview(withAnnotations(pod, claims)))) ?? [];
    const outside = (ops: { path: string }[]) => ops.filter((op) => !op.path.startsWith("/metadata/annotations"));
    assert.ok(outside(plain).length > 5);
    assert.deepEqual(outside(claimed), outside(plain));
    assert.ok(!claimed.some((op) => op.path.startsWith("/spec/dnsConfig")), "dns stays disabled");
  });

  test("the /dev builds-dir pod with the same claims – still denied", async () => {
    const reply = await postReview(target, podReview(withAnnotations(loadSharedFixture("gitlab-builds-dir-dev"), claims)));
    assert.equal(reply.review.response.allowed, false);
    assert.match(reply.review.response.status?.message ?? "", /BUILDS_DIR_SYSTEM_PATH/);
  });

  test('skip: "false" does nothing; skip: "true" skips (less)', async () => {
    const pod = loadSharedFixture("jenkins-agent-dind");
    const plain = decodePatch(await postReview(target, podReview(pod)));
    assert.deepEqual(decodePatch(await postReview(target, podReview(withAnnotations(pod, { [SKIP]: "false" })))), plain);
    const skipped = await postReview(target, podReview(withAnnotations(pod, { [SKIP]: "true" })));
    assert.equal(skipped.review.response.allowed, true);
    assert.equal(skipped.review.response.patch, undefined);
  });
});
