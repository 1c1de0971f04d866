/** Renders a Decision for people: the CI system, each mutator's action and reason, then the patch or denial. */
import type { Decision } from "../admission/decision.js";

export function formatSummary(decision: Decision): string {
  const lines: string[] = [];
  if (decision.ci) {
    lines.push(`CI system: ${decision.ci.system} (${decision.ci.marker})`);
    const ids = Object.entries(decision.ci.identifiers).map(([k, v]) => `${k}=${v}`);
    if (ids.length > 0) lines.push(`  ${ids.join(" ")}`);
  } else {
    lines.push("CI system: none");
  }
  lines.push(`Decision: ${headline(decision)}`);
  if ("reports" in decision) {
    lines.push("Mutators:");
    const width = Math.max(...decision.reports.map((r) => r.name.length));
    for (const report of decision.reports) {
      const detail = report.changes.length > 0 ? report.changes.join("; ") : (report.reason ?? "");
      lines.push(`  ${report.name.padEnd(width)}  ${report.action.padEnd(9)}  ${detail}`);
    }
  }
  if ("warnings" in decision && decision.warnings.length > 0) {
    lines.push("Warnings:", ...decision.warnings.map((w) => `  ${w}`));
  }
  if (decision.kind === "denied") lines.push("Denial:", `  ${decision.message}`);
  if (decision.kind === "mutated") lines.push("JSONPatch:", JSON.stringify(decision.patch, null, 2));
  return `${lines.join("\n")}\n`;
}

function headline(decision: Decision): string {
  switch (decision.kind) {
    case "skipped": return `skipped: ${decision.reason}`;
    case "unchanged": return decision.audit ? `unchanged (audit mode; would be ${decision.audit.wouldBe})` : `unchanged: ${decision.reason}`;
    case "mutated": return `mutated (${decision.patch.length} patch operations)`;
    case "denied": return `denied (${decision.code})`;
    case "error": return `error (${decision.code}): ${decision.error.message}`;
  }
}

/** The decision as JSON, without the error's stack or the mutated pod. */
export function decisionJson(decision: Decision): unknown {
  if (decision.kind === "error") return { ...decision, error: decision.error.message };
  if (decision.kind === "mutated") {
    const { pod: _pod, ...rest } = decision;
    return rest;
  }
  return decision;
}
