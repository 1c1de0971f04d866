/** The built-in defaults, pinned in test/golden/config/defaults.json (UPDATE_GOLDEN=1 rewrites it). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { defaultConfig, parseConfigText, validateConfig } from "../../src/config/load-config.js";
import { assertMatchesGolden } from "../support/golden.js";
import { GOLDEN_DIR } from "../support/paths.js";

test("config defaults – match the reviewed test/golden/config/defaults.json", () => {
  assertMatchesGolden(join(GOLDEN_DIR, "config", "defaults.json"), defaultConfig());
});

test("config defaults – an empty file, `{}`, `null` and validateConfig(undefined) all give the defaults", () => {
  const expected = defaultConfig();
  for (const text of ["", "{}", "null", "# only a comment\n"]) {
    const result = parseConfigText(text);
    assert.ok(result.ok, `${JSON.stringify(text)}: ${!result.ok && result.errors.join("; ")}`);
    assert.deepStrictEqual(result.ok && result.config, expected);
  }
  const none = validateConfig(undefined);
  assert.ok(none.ok);
  assert.deepStrictEqual(none.ok && none.config, expected);
});

test("config defaults – the defaults validate as an explicit config file (round trip)", () => {
  const result = parseConfigText(JSON.stringify(defaultConfig()));
  assert.ok(result.ok, !result.ok ? result.errors.join("; ") : "");
  assert.deepStrictEqual(result.ok && result.config, defaultConfig());
});

test("config defaults – the validated config is deeply frozen (a reload swaps it, nobody edits it)", () => {
  const result = validateConfig({});
  assert.ok(result.ok);
  const config = result.ok ? result.config : defaultConfig();
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.caTrust) && Object.isFrozen(config.caTrust.envVars) && Object.isFrozen(config.dns.options[0]));
  assert.throws(() => (config.caTrust.envVars as string[]).push("X"));
});

test("config defaults – partial sections keep the other defaults of that section", () => {
  const result = validateConfig({ caTrust: { dockerRegistries: ["registry.example.com"] }, detectors: { gitlab: { enabled: false } } });
  assert.ok(result.ok);
  if (!result.ok) return;
  assert.equal(result.config.caTrust.configMapName, "ci-ca-bundle");
  assert.equal(result.config.detectors.jenkins.enabled, true);
  assert.equal(result.config.detectors.tekton.managedBy, "tekton-pipelines");
});
