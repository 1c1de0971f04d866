/** Builds a scenario from a literal pod and config, for regression cases. */
import { validateConfig } from "../../../../src/config/load-config.js";
import type { Pod } from "../../../../src/k8s/pod.js";
import type { CiKind } from "../arbitraries/metadata.js";
import type { Scenario } from "./scenario.js";

export function literalScenario(kind: CiKind, pod: unknown, raw: Record<string, unknown> = {}, caBundlePresent = true): Scenario {
  const result = validateConfig(raw);
  if (!result.ok) throw new Error(`invalid regression config: ${result.errors.join("; ")}`);
  return { generated: { kind, pod: pod as Pod }, cfg: { raw, config: result.config }, caBundlePresent };
}
