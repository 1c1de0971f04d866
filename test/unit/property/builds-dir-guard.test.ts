/**
 * The builds-dir guard against an independent reference (support/reference-builds-dir.ts, a segment
 * stack): a CI pod is refused iff some mount, POSIX-normalised, is a denied path or lies in a denied tree,
 * and is not at or under an allowed path. Warn mode and audit mode report instead of refusing.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { normaliseMountPath } from "../../../src/mutators/mount-path.js";
import { mountPathArb } from "./arbitraries/paths.js";
import { admitPod, explain } from "./support/admit-helpers.js";
import { normalisePosix, referenceOffendingMounts } from "./support/reference-builds-dir.js";
import { referenceActsOn } from "./support/reference-classify.js";
import { params } from "./support/runs.js";
import { scenarioArb } from "./support/scenario.js";

const anyPathArb = fc.oneof(mountPathArb, fc.string({ unit: fc.constantFrom("/", ".", "a", "é", "\\", " "), minLength: 1, maxLength: 12 }));

test("normaliseMountPath – agrees with a segment-stack POSIX normalisation", () => {
  fc.assert(
    fc.property(anyPathArb, (path) => {
      assert.equal(normaliseMountPath(path), normalisePosix(path));
    }),
    params(2000),
  );
});

test("builds-dir guard – denies a CI pod iff a mount resolves to a denied path and not to an allowed one", () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const { config } = s.cfg;
      const pod = s.generated.pod;
      fc.pre(referenceActsOn(pod, config));
      const offenders = config.buildsDir.enabled ? referenceOffendingMounts(pod, config.buildsDir) : [];
      const decision = admitPod(pod, s);
      const refuses = config.buildsDir.action === "deny";
      if (config.mode === "enforce" && refuses) {
        assert.equal(decision.kind === "denied", offenders.length > 0, `offenders ${JSON.stringify(offenders)}: ${explain(decision)}`);
        if (decision.kind === "denied") {
          assert.equal(decision.code, "BUILDS_DIR_SYSTEM_PATH");
          assert.ok(decision.message.includes(`"${offenders[0]}"`), `message names the first offender ${offenders[0]}: ${decision.message}`);
        }
        return;
      }
      assert.notEqual(decision.kind, "denied", explain(decision));
      const reported =
        decision.kind === "unchanged" && decision.audit?.wouldBe === "denied"
          ? true
          : decision.kind !== "skipped" && decision.warnings.some((w) => w.includes("would deny"));
      assert.equal(reported, offenders.length > 0, `offenders ${JSON.stringify(offenders)}: ${explain(decision)}`);
    }),
    params(1200),
  );
});
