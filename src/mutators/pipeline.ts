/**
 * Runs the mutators in order, each on the previous one's output (never on patches, so nothing can
 * overlap), and collects a report per mutator. The first denial stops the chain unless it is a warning.
 */
import type { DenialCode } from "../admission/codes.js";
import type { Pod } from "../k8s/pod.js";
import { guardBuildsDir } from "./builds-dir-guard.js";
import { applyCaTrust } from "./ca-trust.js";
import { applyDnsConfig } from "./dns-config.js";
import { applyDockerHostAlias } from "./docker-host-alias.js";
import type { MutatorContext, MutatorName, NamedMutator } from "./types.js";

export const MUTATORS: readonly NamedMutator[] = [
  { name: "builds-dir-guard", enabled: (c) => c.buildsDir.enabled, run: guardBuildsDir },
  { name: "ca-trust", enabled: (c) => c.caTrust.enabled, run: applyCaTrust },
  { name: "dns", enabled: (c) => c.dns.enabled, run: applyDnsConfig },
  { name: "docker-host-alias", enabled: (c) => c.dockerHostAlias.enabled, run: applyDockerHostAlias },
];

export interface MutatorReport {
  name: MutatorName;
  action: "applied" | "unchanged" | "disabled" | "denied" | "warned";
  /** Names and paths only: safe for logs. */
  changes: string[];
  reason?: string;
}

export type PipelineResult =
  | { kind: "admitted"; pod: Pod; applied: MutatorName[]; reports: MutatorReport[]; warnings: string[] }
  | { kind: "denied"; code: DenialCode; message: string; reports: MutatorReport[]; warnings: string[] };

export function runPipeline(original: Pod, ctx: MutatorContext): PipelineResult {
  let pod = original;
  const applied: MutatorName[] = [];
  const reports: MutatorReport[] = [];
  const warnings: string[] = [];
  for (const mutator of MUTATORS) {
    if (!mutator.enabled(ctx.config)) {
      reports.push({ name: mutator.name, action: "disabled", changes: [], reason: "disabled in config" });
      continue;
    }
    const result = mutator.run(pod, ctx);
    if (result.kind === "denied") {
      if (mutator.name === "builds-dir-guard" && ctx.config.buildsDir.action === "warn") {
        reports.push({ name: mutator.name, action: "warned", changes: [], reason: result.code });
        warnings.push(`ci-pod-webhook (warn mode, would deny): ${result.message}`);
        continue;
      }
      reports.push({ name: mutator.name, action: "denied", changes: [], reason: result.code });
      return { kind: "denied", code: result.code, message: result.message, reports, warnings };
    }
    warnings.push(...(result.warnings ?? []));
    if (result.kind === "unchanged") {
      reports.push({ name: mutator.name, action: "unchanged", changes: [], reason: result.reason });
      continue;
    }
    pod = result.pod;
    applied.push(mutator.name);
    reports.push({ name: mutator.name, action: "applied", changes: result.changes });
  }
  return { kind: "admitted", pod, applied, reports, warnings };
}
