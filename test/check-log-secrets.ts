/**
 * Greps every webhook log and audit line the test suites captured (test/support/log-capture.ts) for the
 * secret values of the shared CI fixtures. Run after the suites:
 *
 *   node --import tsx test/check-log-secrets.ts [capture-file]   (default: $CI_POD_WEBHOOK_TEST_LOG_CAPTURE)
 *
 * Exit 1 if any env value of length >= 8 appears (listing fixture and env var NAME, never the value), or
 * if the file is missing or empty: a check that cannot fail is no check. The values left out are the ones
 * test/integration/log-secrets.test.ts reasons out: values that are also the pod's own public metadata
 * (GitLab's CI_JOB_URL is the job URL annotation the audit line carries; Jenkins' JENKINS_NAME is the pod
 * name), and plain words the webhook's own messages use ("internal").
 */
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { Pod } from "../src/k8s/pod.js";
import { LOG_CAPTURE_ENV } from "./support/log-capture.js";
import { loadSharedFixture, SHARED_FIXTURE_NAMES } from "./support/tls-client.js";

export interface FixtureSecret {
  fixture: string;
  name: string;
  value: string;
}

/** Lowercase words that are env values of a fixture and also words of the webhook's own messages. */
const COMMON_WORDS = ["internal"];

function publicMetadata(pod: Pod): string[] {
  const m = pod.metadata ?? {};
  return [m.name, m.generateName, m.namespace, ...Object.values(m.labels ?? {}), ...Object.values(m.annotations ?? {})].filter((s): s is string => !!s);
}

/** Every env value (>= 8 chars) of every container of every shared fixture, minus the public ones. */
export function fixtureSecrets(): FixtureSecret[] {
  return SHARED_FIXTURE_NAMES.flatMap((fixture) => {
    const pod = loadSharedFixture(fixture);
    const metadata = publicMetadata(pod);
    return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]
      .flatMap((c) => c.env ?? [])
      .filter((e): e is { name: string; value: string } => typeof e.value === "string" && e.value.length >= 8)
      .filter((e) => !metadata.some((m) => m.includes(e.value)) && !COMMON_WORDS.includes(e.value))
      .map((e) => ({ fixture, name: e.name, value: e.value }));
  });
}

export interface SecretCheck {
  ok: boolean;
  lines: number;
  sources: Map<string, number>;
  problems: string[];
}

/** Checks captured text (`<source>\t<line>` per line). Problems never contain a secret value. */
export function checkCapturedLogs(text: string | undefined, secrets: readonly FixtureSecret[] = fixtureSecrets()): SecretCheck {
  const sources = new Map<string, number>();
  const problems: string[] = [];
  if (text === undefined) return { ok: false, lines: 0, sources, problems: ["the capture file does not exist: no suite captured any log"] };
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0) problems.push("the capture file is empty: no suite captured any log");
  if (secrets.length === 0) problems.push("no fixture secrets to look for");
  const found = new Map<string, { secret: FixtureSecret; count: number; first: string }>();
  lines.forEach((line, i) => {
    const tab = line.indexOf("\t");
    const source = tab === -1 ? "(untagged)" : line.slice(0, tab);
    sources.set(source, (sources.get(source) ?? 0) + 1);
    for (const secret of secrets) {
      if (!line.includes(secret.value)) continue;
      const key = `${secret.fixture}/${secret.name}`;
      const seen = found.get(key);
      if (seen) seen.count++;
      else found.set(key, { secret, count: 1, first: `${source}, capture line ${i + 1}` });
    }
  });
  for (const { secret, count, first } of found.values()) {
    problems.push(`fixture ${secret.fixture}: the value of env ${secret.name} appears in ${count} log line(s), first in ${first}`);
  }
  return { ok: problems.length === 0, lines: lines.length, sources, problems };
}

function main(argv: string[]): number {
  const path = argv[0] ?? process.env[LOG_CAPTURE_ENV];
  if (!path) {
    process.stderr.write(`check-log-secrets: give the capture file as an argument or in ${LOG_CAPTURE_ENV}\n`);
    return 1;
  }
  const secrets = fixtureSecrets();
  const result = checkCapturedLogs(existsSync(path) ? readFileSync(path, "utf8") : undefined, secrets);
  const bySource = [...result.sources].map(([source, n]) => `${source}: ${n}`).join(", ");
  if (!result.ok) {
    process.stderr.write(`check-log-secrets: FAILED (${result.lines} captured log lines; ${secrets.length} fixture secrets)\n`);
    for (const problem of result.problems) process.stderr.write(`  ${problem}\n`);
    return 1;
  }
  process.stdout.write(`check-log-secrets: ok – ${result.lines} captured log lines (${bySource}) hold none of the ${secrets.length} fixture secrets\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
