/**
 * The patch is small and safe to log (STYLE.md habits 5 and 13; research trap 10): it only appends (`add`),
 * except for replacing our own annotation and, with `dns.override`, resolver option values; and no decision
 * text (reasons, messages, warnings, reports) or patch value ever carries a job's env values.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Pod } from "../../../src/k8s/pod.js";
import { admitPod, explain } from "./support/admit-helpers.js";
import { params } from "./support/runs.js";
import { scenarioArb } from "./support/scenario.js";

const REPLACEABLE = [/^\/metadata\/annotations\/ci-pod-webhook\.io~1mutated$/];
const OVERRIDE_REPLACEABLE = /^\/spec\/dnsConfig\/options\/\d+(\/value)?$/;

test("patch – only adds, except our annotation and overridden resolver options", () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const decision = admitPod(s.generated.pod, s);
      if (decision.kind !== "mutated") return;
      const override = s.cfg.config.dns.override;
      for (const op of decision.patch) {
        if (op.op === "add") continue;
        const allowed = op.op === "replace" && (REPLACEABLE.some((re) => re.test(op.path)) || (override && OVERRIDE_REPLACEABLE.test(op.path)));
        assert.ok(allowed, `unexpected ${op.op} ${op.path}: ${explain(decision)}`);
      }
    }),
    params(800),
  );
});

/** The secret-looking env values of the pod (long enough that a match is no coincidence). */
function secretsOf(pod: Pod): string[] {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return containers.flatMap((c) => (c.env ?? []).map((e) => e.value ?? "")).filter((v) => /^[0-9a-f]{64}$|^glpat-/.test(v));
}

test("decision – never carries an env value in its reasons, messages, warnings, reports or patch", () => {
  fc.assert(
    fc.property(scenarioArb, (s) => {
      const secrets = secretsOf(s.generated.pod);
      fc.pre(secrets.length > 0);
      const decision = admitPod(s.generated.pod, s);
      const { pod: _pod, ...rest } = decision as { pod?: unknown };
      const text = JSON.stringify(rest, (_k, v: unknown) => (v instanceof Error ? v.message : v));
      for (const secret of secrets) assert.ok(!text.includes(secret), `decision leaks an env value: ${explain(decision)}`);
    }),
    params(600),
  );
});
