/**
 * Golden cases: `test/golden/<system>/<case>.pod.json` is the pod as the CI system sends it, the optional
 * `<case>.config.json` a partial config merged over the defaults, and `<case>.expected.json` the decision
 * summary. `UPDATE_GOLDEN=1` rewrites the expected files; review the diff like code.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Decision } from "../../src/admission/decision.js";
import type { Config } from "../../src/config/schema.js";
import type { PatchOperation } from "../../src/patch/diff.js";
import { configWith } from "./config.js";
import { GOLDEN_DIR, isUpdatingGolden } from "./paths.js";

export interface GoldenCase {
  /** `<system>/<case>`, e.g. `gitlab/attach-dind`. */
  id: string;
  podFile: string;
  expectedFile: string;
  /** The pod file's text: the raw bytes the API server would send. */
  rawPod: string;
  config: Config;
  /** The partial config of `<case>.config.json`, `{}` when there is none. */
  configPatch: Record<string, unknown>;
}

/** The decision as stored in `<case>.expected.json`: kind, system, code, applied mutators, warnings, patch. */
export interface DecisionSummary {
  kind: Decision["kind"];
  system?: string;
  code?: string;
  reason?: string;
  message?: string;
  allowed?: boolean;
  applied?: string[];
  warnings: string[];
  audit?: unknown;
  patch?: PatchOperation[];
}

/** Every `*.pod.json` under test/golden/<system>/ (the `config/` directory holds no pods), sorted. */
export function listGoldenCases(): GoldenCase[] {
  const cases: GoldenCase[] = [];
  for (const system of readdirSync(GOLDEN_DIR, { withFileTypes: true })) {
    if (!system.isDirectory()) continue;
    const dir = join(GOLDEN_DIR, system.name);
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith(".pod.json")) continue;
      const base = file.slice(0, -".pod.json".length);
      const configFile = join(dir, `${base}.config.json`);
      const configPatch = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>) : {};
      cases.push({
        id: `${system.name}/${base}`,
        podFile: join(dir, file),
        expectedFile: join(dir, `${base}.expected.json`),
        rawPod: readFileSync(join(dir, file), "utf8"),
        config: configWith(configPatch),
        configPatch,
      });
    }
  }
  return cases.sort((a, b) => a.id.localeCompare(b.id));
}

export function summarizeDecision(decision: Decision): DecisionSummary {
  const system = decision.ci?.system;
  const base = { kind: decision.kind, ...(system ? { system } : {}) };
  switch (decision.kind) {
    case "skipped":
      return { ...base, reason: decision.reason, warnings: [] };
    case "unchanged":
      return { ...base, reason: decision.reason, warnings: decision.warnings, ...(decision.audit ? { audit: decision.audit } : {}) };
    case "denied":
      return { ...base, code: decision.code, message: decision.message, warnings: decision.warnings };
    case "error":
      return { ...base, code: decision.code, allowed: decision.allowed, message: decision.error.message, warnings: decision.warnings };
    case "mutated":
      return { ...base, applied: decision.applied, warnings: decision.warnings, patch: decision.patch };
  }
}

/**
 * Compares `actual` (any JSON value) with the stored file, or rewrites the file under UPDATE_GOLDEN=1.
 * A missing file is a failure that says how to create it.
 */
export function assertMatchesGolden(file: string, actual: unknown): void {
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (isUpdatingGolden()) {
    writeFileSync(file, text);
    return;
  }
  const name = relative(GOLDEN_DIR, file);
  assert.ok(existsSync(file), `golden file ${name} is missing; run with UPDATE_GOLDEN=1 and review it`);
  const expected: unknown = JSON.parse(readFileSync(file, "utf8"));
  assert.deepStrictEqual(JSON.parse(text), expected, `decision differs from golden ${name}; if intended, rerun with UPDATE_GOLDEN=1 and review the diff`);
}
