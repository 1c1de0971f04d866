/**
 * Golden cases (test/golden/<system>/<case>.pod.json): the decision matches the reviewed expected file,
 * and whatever the webhook admits is safe: idempotent, the patch reproduces the pod, the runners' contract
 * is kept, and the API server would accept the result.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import jsonpatch from "fast-json-patch";
import { admit } from "../../src/admission/admit.js";
import type { Pod } from "../../src/k8s/pod.js";
import { listGoldenCases, assertMatchesGolden, summarizeDecision, type GoldenCase } from "../support/golden.js";
import { assertMountsConsistent, assertPatchScope, assertRunnerContractKept, assertSchemaValid } from "../support/pod-checks.js";
import { podCreateRequest } from "../support/requests.js";

const cases = listGoldenCases();

function run(c: GoldenCase, pod: unknown = JSON.parse(c.rawPod)) {
  return admit(podCreateRequest(pod), { config: c.config });
}

test("golden – every case directory holds cases", () => {
  assert.ok(cases.length >= 6, `found only ${cases.length} golden cases`);
});

for (const c of cases) {
  describe(`golden ${c.id}`, () => {
    const original = JSON.parse(c.rawPod) as Pod;
    const decision = run(c);
    const admitted: Pod = decision.kind === "mutated" ? decision.pod : original;

    test("decision matches the reviewed .expected.json", () => {
      assertMatchesGolden(c.expectedFile, summarizeDecision(decision));
    });

    test("the same request twice gives the same decision", () => {
      assert.deepStrictEqual(summarizeDecision(run(c)), summarizeDecision(decision));
    });

    test("admit leaves the request's pod object untouched", () => {
      const input = JSON.parse(c.rawPod) as Pod;
      run(c, input);
      assert.deepStrictEqual(input, original);
    });

    test("reinvocation on the admitted pod changes nothing", () => {
      const again = run(c, structuredClone(admitted));
      const expectedKind = decision.kind === "mutated" ? "unchanged" : decision.kind;
      assert.equal(again.kind, expectedKind, `second round was ${again.kind}`);
      assert.ok(!("patch" in again), "second round produced a patch");
    });

    test("patch applied to the raw original reproduces decision.pod", () => {
      if (decision.kind !== "mutated") {
        assert.ok(!("patch" in decision), `${decision.kind} decision carries a patch`);
        return;
      }
      assert.ok(decision.patch.length > 0, "mutated decision with an empty patch");
      const raw = JSON.parse(c.rawPod) as Pod;
      assert.equal(jsonpatch.validate(decision.patch, raw), undefined, "patch does not validate against the original");
      const patched = jsonpatch.applyPatch(raw, structuredClone(decision.patch), true, false).newDocument;
      assert.deepStrictEqual(patched, decision.pod);
      assert.deepStrictEqual(JSON.parse(JSON.stringify(decision.pod)), decision.pod, "decision.pod does not survive JSON");
    });

    test("patch only adds to fields the webhook owns", () => {
      assertPatchScope(decision.kind === "mutated" ? decision.patch : []);
    });

    test("keeps images, command, args, stdin, tty, workingDir, restartPolicy, labels, annotations and list order", () => {
      assertRunnerContractKept(original, admitted, { dnsOptionsMayChange: c.config.dns.override });
    });

    test("admitted pod validates against the Kubernetes Pod schema", () => {
      assertSchemaValid(admitted);
    });

    test("admitted pod: unique volume names, unique mountPath per container, every mount names a volume", () => {
      assertMountsConsistent(admitted);
    });
  });
}
