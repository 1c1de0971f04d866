/** Parses configuration text (YAML or JSON) into a validated Config, reporting every error with its field path. */
import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { configSchema, type Config } from "./schema.js";

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/** The built-in configuration: every default, no file needed. */
export function defaultConfig(): Config {
  return configSchema.parse({});
}

/** Validates an already-parsed value. */
export function validateConfig(value: unknown): ConfigResult {
  const result = configSchema.safeParse(value ?? {});
  if (result.success) return { ok: true, config: deepFreeze(result.data) };
  return { ok: false, errors: result.error.issues.flatMap(formatIssue) };
}

/** Parses YAML or JSON text (JSON is YAML) and validates it; `source` names the file in messages. */
export function parseConfigText(text: string, source = "config"): ConfigResult {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => `${source}: not valid YAML: ${e.message}`) };
  }
  const value: unknown = doc.toJS();
  if (value !== null && value !== undefined && (typeof value !== "object" || Array.isArray(value))) {
    return { ok: false, errors: [`${source}: must be a mapping of config keys`] };
  }
  return validateConfig(value);
}

/** Reads and parses a config file; a missing or unreadable file is an error result, never a throw. */
export async function loadConfigFile(path: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    return { ok: false, errors: [`${path}: cannot read config file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`] };
  }
  return parseConfigText(text, path);
}

function formatIssue(issue: z.core.$ZodIssue): string[] {
  const where = formatPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key`);
  }
  return [`${where || "(root)"}: ${issue.message}`];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === "number") return `${out}[${part}]`;
    return out ? `${out}.${String(part)}` : String(part);
  }, "");
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
