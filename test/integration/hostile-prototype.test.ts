/**
 * `__proto__`, `constructor` and `prototype` keys everywhere in a review (envelope, pod, metadata, labels,
 * annotations, containers), and as container, volume and env names, sent to a webhook running in this
 * process: no prototype is polluted, a CI marker or a skip annotation hidden in such a key changes nothing,
 * and every reply is the patch the same pod gets without them.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { CleanupStack, readJsonLines, startInProcess, waitFor, type InProcessServer } from "../support/server-process.js";
import { loadSharedFixture, podReview, postReview, type TlsTarget } from "../support/tls-client.js";
import { formatPath, newMarker, valuePaths, withValueAt, type JsonPath } from "../soak/support/hostile.js";
import { scanLogs } from "../soak/support/log-scan.js";
import { checkReview } from "../soak/support/review-check.js";
import { runPool } from "../soak/support/pool.js";

const PROTOTYPES: [string, object][] = [["Object", Object.prototype], ["Array", Array.prototype], ["Function", Function.prototype], ["String", String.prototype]];
const snapshot = () => PROTOTYPES.map(([name, proto]) => [name, Object.getOwnPropertyNames(proto).sort()]);
const BEFORE = snapshot();

/** What a hostile key holds: a pollution attempt plus every marker and switch the webhook reads. */
function payload(marker: string): Record<string, unknown> {
  return {
    polluted: `${marker}-polluted`,
    "ci-pod-webhook.io/skip": "true",
    "job.runner.gitlab.com/pod": marker,
    "kubernetes.jenkins.io/controller": marker,
    "actions-ephemeral-runner": "True",
    "app.kubernetes.io/component": "runner",
    "app.kubernetes.io/managed-by": "tekton-pipelines",
    "tekton.dev/taskRun": marker,
    toString: `${marker}-toString`,
    prototype: { polluted: `${marker}-prototype` },
  };
}

const KEYS = ["__proto__", "constructor", "prototype"] as const;

function objectPaths(value: unknown): JsonPath[] {
  const isObject = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  return [[], ...valuePaths(value)].filter((path) => {
    let v: unknown = value;
    for (const key of path) v = (v as Record<string | number, unknown>)[key];
    return isObject(v);
  });
}

describe("prototype keys everywhere (in-process webhook)", () => {
  const cleanup = new CleanupStack();
  let server: InProcessServer;
  let target: TlsTarget;
  const markers: string[] = [];
  let admissions = 0;
  const post = (review: unknown) => {
    admissions++;
    return postReview(target, JSON.stringify(review));
  };
  before(async () => {
    server = await startInProcess(cleanup);
    target = { port: server.port, ca: server.ca };
  });
  after(() => cleanup.run());

  /** The reply to `review`, checked, with its patch compared to the one the plain pod gets. */
  async function assertSameAsPlain(review: unknown, plainPatch: unknown, what: string): Promise<void> {
    const sent = review as { request: { object: unknown } };
    const reply = await post(review);
    const checked = checkReview(reply.status, JSON.stringify(reply.review), { body: review, applyTo: sent.request.object });
    assert.deepEqual(checked.problems, [], what);
    assert.equal(reply.status, 200, what);
    assert.deepEqual(checked.patch, plainPatch, `${what}: the reply differs from the plain pod's`);
  }

  for (const fixture of ["jenkins-agent-dind", "plain-nginx"] as const) {
    test(`${fixture}: ${KEYS.join(", ")} added to every object of the review – same reply as without, nothing polluted`, async () => {
      const marker = newMarker();
      markers.push(marker);
      const review = podReview(loadSharedFixture(fixture), { uid: `proto-${fixture}` });
      const plain = await post(review);
      const plainPatch = checkReview(plain.status, JSON.stringify(plain.review)).patch;
      assert.equal(plainPatch === undefined, fixture === "plain-nginx");
      const cases = objectPaths(review).flatMap((path) => KEYS.map((key) => ({ path: [...path, key], value: payload(marker) })));
      assert.ok(cases.length > 30, `${cases.length} cases`);
      await runPool(cases, 8, ({ path, value }) => assertSameAsPlain(withValueAt(review, path, value), plainPatch, formatPath(path)));
    });
  }

  test("prototype names as container, volume, env, label and annotation names – a valid patch, no pollution", async () => {
    const marker = newMarker();
    markers.push(marker);
    const pod = loadSharedFixture("gitlab-attach-dind");
    const spec = pod.spec as NonNullable<typeof pod.spec>;
    const build = spec.containers[0] as NonNullable<(typeof spec.containers)[0]>;
    const volume = spec.volumes?.[0] as { name: string };
    const names = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];
    for (const [i, name] of names.entries()) {
      const variant = structuredClone(pod);
      const vSpec = variant.spec as typeof spec;
      (vSpec.containers[0] as typeof build).name = name;
      const vVolume = vSpec.volumes?.[0] as { name: string };
      for (const c of [...(vSpec.initContainers ?? []), ...vSpec.containers]) for (const m of c.volumeMounts ?? []) if (m.name === volume.name) m.name = name;
      vVolume.name = name;
      (vSpec.containers[0] as typeof build).env = [...(build.env ?? []), { name, value: `${marker}-env` }];
      variant.metadata = { ...variant.metadata, labels: { ...variant.metadata?.labels, [name]: `${marker}-label` }, annotations: { ...variant.metadata?.annotations, [name]: `${marker}-annotation` } };
      const review = podReview(variant, { uid: `proto-names-${i}` });
      const reply = await post(review);
      const checked = checkReview(reply.status, JSON.stringify(reply.review), { body: review, applyTo: variant });
      assert.deepEqual(checked.problems, [], name);
      assert.ok(checked.patch && checked.patch.length > 5, `${name}: still patched`);
    }
  });

  test("fast-check: the three keys at random sets of places at once – same reply as without", async () => {
    const marker = newMarker();
    markers.push(marker);
    const review = podReview(loadSharedFixture("tekton-taskrun-dind"), { uid: "proto-random" });
    const plain = await post(review);
    const plainPatch = checkReview(plain.status, JSON.stringify(plain.review)).patch;
    const paths = objectPaths(review);
    await fc.assert(
      fc.asyncProperty(fc.subarray(paths, { minLength: 1, maxLength: 12 }), fc.subarray([...KEYS], { minLength: 1 }), async (places, keys) => {
        let changed: unknown = review;
        for (const path of places) for (const key of keys) changed = withValueAt(changed, [...path, key], payload(marker));
        await assertSameAsPlain(changed, plainPatch, places.map(formatPath).join(" "));
      }),
      { numRuns: 100 },
    );
  });

  test("after all of it: no prototype gained or changed a property; no marker in any log line", async () => {
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(([] as unknown as Record<string, unknown>).polluted, undefined);
    assert.equal(typeof ({} as { toString: unknown }).toString, "function");
    assert.deepEqual(snapshot(), BEFORE);
    await waitFor(() => readJsonLines(server.auditPath).length >= admissions, `${admissions} audit lines`);
    await server.stop();
    const scan = scanLogs([{ name: "in-process log", text: server.logs.raw.join("\n") }, { name: "audit", text: readJsonLines(server.auditPath).map((l) => JSON.stringify(l)).join("\n") }], markers);
    assert.deepEqual(scan.problems, []);
  });
});
