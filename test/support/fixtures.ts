/** Loads pod fixtures. Every call parses the file afresh, so a test can never leak edits into another. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Pod } from "../../src/k8s/pod.js";
import { FIXTURES_DIR } from "./paths.js";

/** The six fixtures copied byte-for-byte from the project's shared fixture set (see fixtures/README). */
export const SHARED_FIXTURES = [
  "gitlab-attach-dind",
  "gitlab-builds-dir-dev",
  "jenkins-agent-dind",
  "arc-ephemeral-runner-dind",
  "tekton-taskrun-dind",
  "plain-nginx",
] as const;
export type SharedFixture = (typeof SHARED_FIXTURES)[number];

/** Path of a fixture: `test/fixtures/shared/<name>.pod.json`, else `test/fixtures/<name>.pod.json`. */
export function fixturePath(name: string): string {
  const file = name.endsWith(".json") ? name : `${name}.pod.json`;
  for (const candidate of [join(FIXTURES_DIR, "shared", file), join(FIXTURES_DIR, file)]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`no fixture named ${name} under ${FIXTURES_DIR}`);
}

/** The fixture's raw text, exactly as stored. */
export function loadFixtureText(name: string): string {
  return readFileSync(fixturePath(name), "utf8");
}

/** A fresh parse of the fixture pod. */
export function loadFixture(name: SharedFixture | (string & {})): Pod {
  return JSON.parse(loadFixtureText(name)) as Pod;
}
