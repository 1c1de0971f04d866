/** Builds validated configs for tests: defaults with a few keys changed. */
import { defaultConfig, validateConfig } from "../../src/config/load-config.js";
import type { Config } from "../../src/config/schema.js";

/** Objects become partial at every level; arrays and scalars are replaced whole. */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/**
 * The default config with `partial` deep-merged over it (objects merge, arrays replace), then validated
 * with `validateConfig` exactly as a config file would be. Throws listing every error if it is invalid.
 */
export function configWith(partial: DeepPartial<Config> | Record<string, unknown> = {}): Config {
  const merged = deepMerge(structuredClone(defaultConfig()) as unknown as Record<string, unknown>, partial as Record<string, unknown>);
  const result = validateConfig(merged);
  if (!result.ok) throw new Error(`configWith: invalid config:\n  ${result.errors.join("\n  ")}`);
  return result.config;
}

function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
