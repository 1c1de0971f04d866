/**
 * The admission core is total and self-consistent: for every generated pod and config it decides without
 * throwing and without an internal error, leaves its input alone, emits a patch that applies (RFC 6902) to
 * exactly the pod it reports, and is idempotent under reinvocation.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { admit } from "../../../src/admission/admit.js";
import { admitPod, applyJsonPatch, explain, KINDS, outputPod } from "./support/admit-helpers.js";
import { params } from "./support/runs.js";
import { createRequest, scenarioArb } from "./support/scenario.js";

test("admit – never throws and never returns an error decision on a valid pod", () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const req = createRequest(s.generated.pod);
      const before = structuredClone(req.object);
      const decision = admit(req, { config: s.cfg.config, caBundlePresent: () => s.caBundlePresent });
      assert.ok((KINDS as readonly string[]).includes(decision.kind), explain(decision));
      assert.deepStrictEqual(req.object, before, "admit changed its input object");
    }),
    params(1000),
  );
});

test("admit – the patch applies to the original and yields exactly decision.pod", () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const decision = admitPod(s.generated.pod, s);
      if (decision.kind !== "mutated") return;
      assert.ok(decision.patch.length > 0, "a mutated decision carries a non-empty patch");
      const patched = applyJsonPatch(s.generated.pod, decision.patch);
      assert.deepStrictEqual(patched, JSON.parse(JSON.stringify(decision.pod)));
      assert.deepStrictEqual(decision.pod, JSON.parse(JSON.stringify(decision.pod)), "decision.pod is plain JSON");
    }),
    params(1000),
  );
});

test("admit – reinvocation on its own output yields no patch", () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const first = admitPod(s.generated.pod, s);
      const output = outputPod(s.generated.pod, first);
      const second = admitPod(output, s);
      assert.ok(second.kind === "unchanged" || second.kind === "skipped" || (first.kind === "denied" && second.kind === "denied"),
        `first ${explain(first)}\nsecond ${explain(second)}`);
      if (first.kind === "mutated" || (first.kind === "unchanged" && !first.audit)) {
        assert.ok(second.kind !== "denied", `reinvocation denied a pod the first pass admitted: ${explain(second)}`);
      }
    }),
    params(1000),
  );
});
