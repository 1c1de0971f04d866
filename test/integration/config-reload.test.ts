/**
 * Config reload while serving: a valid change shows in the next patch; a broken file (unknown key, bad
 * value, invalid YAML) keeps the last good config, is counted and logged with its field path; a broken
 * file at start stops the process with the field path.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CleanupStack, cleanupFor, runCli, startInProcess, tempDir, waitFor, type InProcessServer } from "../support/server-process.js";
import { decodePatch, loadSharedFixture, metricValue, opsCall, podReview, postReview, type TlsTarget } from "../support/tls-client.js";

const ISOLATED = "caTrust:\n  checkPresence: false\n";

function configWithNdots(value: string): string {
  return `${ISOLATED}dns:\n  options:\n    - name: ndots\n      value: "${value}"\n`;
}

describe("config reload while serving", () => {
  const cleanup = new CleanupStack();
  let server: InProcessServer;
  let target: TlsTarget;
  before(async () => {
    server = await startInProcess(cleanup, { config: configWithNdots("2") });
    target = { port: server.port, ca: server.ca };
  });
  after(() => cleanup.run());

  /** The ndots value the webhook currently patches into a CI pod. */
  async function patchedNdots(): Promise<string | undefined> {
    const reply = await postReview(target, podReview(loadSharedFixture("jenkins-agent-dind")));
    const op = decodePatch(reply)?.find((o) => o.path === "/spec/dnsConfig");
    return (op?.value as { options?: { name: string; value?: string }[] } | undefined)?.options?.find((o) => o.name === "ndots")?.value;
  }

  async function reloads(result: "loaded" | "failed"): Promise<number> {
    return metricValue((await opsCall(server.opsPort, "/metrics")).text, "ci_pod_webhook_config_reloads_total", { result });
  }

  /** Writes the file and waits until the store has counted one more reload with `result`. */
  async function writeAndAwait(text: string, result: "loaded" | "failed"): Promise<void> {
    const before = await reloads(result);
    writeFileSync(server.configPath, text);
    await waitFor(async () => (await reloads(result)) > before, `a config reload with result=${result}`);
  }

  function lastFailure(): string[] {
    const failures = server.logs.records().filter((r) => r.msg === "config reload failed; keeping the last good config");
    const last = failures.at(-1);
    assert.ok(last, "a config reload failure was logged");
    assert.equal(last.level, "error");
    assert.equal(last.code, "CONFIG_INVALID");
    return last.errors as string[];
  }

  test("a valid change (ndots 2 -> 3) is applied to the next patch", async () => {
    assert.equal(await patchedNdots(), "2");
    await writeAndAwait(configWithNdots("3"), "loaded");
    assert.equal(await patchedNdots(), "3");
  });

  test("an unknown key – last good config stays, result=failed counted, error names the field path", async () => {
    await writeAndAwait(`${ISOLATED}dns:\n  options:\n    - name: ndots\n      value: "4"\n  optons: []\n`, "failed");
    assert.ok(lastFailure().some((e) => e.startsWith("dns.optons: unknown key")), JSON.stringify(lastFailure()));
    assert.equal(await patchedNdots(), "3");
  });

  test("an invalid value – every error reported with its path (dns.options[0].value, server.maxRequestBytes)", async () => {
    await writeAndAwait(`${ISOLATED}dns:\n  options:\n    - name: ndots\n      value: "99"\nserver:\n  maxRequestBytes: 1024\n`, "failed");
    const errors = lastFailure();
    assert.ok(errors.some((e) => e.startsWith("dns.options[0].value: ndots must be 0..15")), JSON.stringify(errors));
    assert.ok(errors.some((e) => e.startsWith("server.maxRequestBytes:")), JSON.stringify(errors));
    assert.equal(await patchedNdots(), "3");
  });

  test("invalid YAML – last good config stays, counted, logged as not valid YAML", async () => {
    await writeAndAwait(`${ISOLATED}dns:\n  options: [\n    - name: ndots\n`, "failed");
    assert.ok(lastFailure().some((e) => e.includes("not valid YAML")), JSON.stringify(lastFailure()));
    assert.equal(await patchedNdots(), "3");
    assert.equal((await opsCall(server.opsPort, "/readyz")).status, 200, "a bad reload does not make the webhook unready");
  });

  test("the same broken file is reported once, not on every poll", async () => {
    const failedBefore = await reloads("failed");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await reloads("failed"), failedBefore);
  });

  test("valid again (ndots 1) – applied", async () => {
    await writeAndAwait(configWithNdots("1"), "loaded");
    assert.equal(await patchedNdots(), "1");
  });

  test("a deleted config file – counted as failed, last good config stays", async () => {
    const { rmSync } = await import("node:fs");
    const before = await reloads("failed");
    rmSync(server.configPath);
    await waitFor(async () => (await reloads("failed")) > before, "a failed reload");
    assert.equal(await patchedNdots(), "1");
    await writeAndAwait(configWithNdots("2"), "loaded");
    assert.equal(await patchedNdots(), "2");
  });
});

describe("config from a ConfigMap mount", () => {
  test("a ..data symlink swap is picked up", async (t) => {
    const cleanup = cleanupFor(t);
    const dir = tempDir(cleanup);
    const mount = join(dir, "config");
    const version = (name: string, text: string) => {
      mkdirSync(join(mount, name), { recursive: true });
      writeFileSync(join(mount, name, "config.yaml"), text);
    };
    version("..2026_11_26_09_00_00.1", configWithNdots("2"));
    symlinkSync("..2026_11_26_09_00_00.1", join(mount, "..data"));
    symlinkSync("..data/config.yaml", join(mount, "config.yaml"));
    const server = await startInProcess(cleanup, { dir, options: { configPath: join(mount, "config.yaml") } });
    const target = { port: server.port, ca: server.ca };
    const ndots = async () => {
      const op = decodePatch(await postReview(target, podReview(loadSharedFixture("tekton-taskrun-dind"))))?.find((o) => o.path === "/spec/dnsConfig");
      return (op?.value as { options: { name: string; value?: string }[] }).options.find((o) => o.name === "ndots")?.value;
    };
    assert.equal(await ndots(), "2");
    version("..2026_11_26_10_00_00.2", configWithNdots("5"));
    symlinkSync("..2026_11_26_10_00_00.2", join(mount, "..data_tmp"));
    renameSync(join(mount, "..data_tmp"), join(mount, "..data"));
    await waitFor(() => server.logs.find((r) => r.msg === "config reloaded"), "the config reload");
    assert.equal(await ndots(), "5");
  });
});

describe("a broken config at start", () => {
  test("serve exits non-zero and prints every error with its field path", async (t) => {
    const cleanup = cleanupFor(t);
    const home = tempDir(cleanup);
    const config = join(home, "config.yaml");
    writeFileSync(config, `${ISOLATED}dns:\n  options:\n    - name: ndots\n      value: "16"\nserver:\n  bogus: 1\n`);
    const result = await runCli(["serve", "--host", "127.0.0.1", "--port", "0", "--ops-port", "0", "--config", config, "--certs-dir", join(home, "certs"), "--audit-log", join(home, "audit.log")], { home });
    assert.equal(result.code, 2);
    const output = result.stdout + result.stderr;
    assert.match(output, /invalid config/);
    assert.match(output, /dns\.options\[0\]\.value: ndots must be 0\.\.15/);
    assert.match(output, /server\.bogus: unknown key/);
    assert.doesNotMatch(output, /serving POST \/mutate|"level":"fatal"/);
  });

  test("serve exits non-zero on invalid YAML, naming the file", async (t) => {
    const cleanup = cleanupFor(t);
    const home = tempDir(cleanup);
    const config = join(home, "config.yaml");
    writeFileSync(config, "dns: [\n");
    const result = await runCli(["serve", "--host", "127.0.0.1", "--port", "0", "--ops-port", "0", "--config", config, "--certs-dir", join(home, "certs"), "--audit-log", join(home, "audit.log")], { home });
    assert.equal(result.code, 2);
    assert.ok((result.stdout + result.stderr).includes(`${config}: not valid YAML`), result.stdout + result.stderr);
  });
});
