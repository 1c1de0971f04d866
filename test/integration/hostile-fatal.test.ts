/**
 * A truly fatal error in the real `serve` process logs one line and exits non-zero, so Kubernetes restarts
 * the pod. Production code has no way to raise one on purpose (a request never can: see the hostile-*
 * suites), so the test preloads a two-line module (a `data:` URL passed with `--import`, nothing on disk,
 * nothing in src/) that throws, or rejects a promise, from a SIGUSR2 handler once the server is up. What
 * handles it is the real `runServe` handler in src/cli/serve.ts.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupFor, runCli, spawnServer, tempDir, waitFor } from "../support/server-process.js";
import { loadSharedFixture, podReview, postReview } from "../support/tls-client.js";

const TRIGGERS = {
  "an uncaught exception": 'process.on("SIGUSR2", () => { throw new Error("hostile fatal trigger: exception"); });',
  "an unhandled rejection": 'process.on("SIGUSR2", () => { Promise.reject(new Error("hostile fatal trigger: rejection")); });',
};

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("a fatal error: one line, non-zero exit", () => {
  for (const [what, source] of Object.entries(TRIGGERS)) {
    test(`${what} after start – one fatal line with the error, exit 70, nothing on stderr`, async (t) => {
      const cleanup = cleanupFor(t);
      const home = tempDir(cleanup);
      const config = join(home, "config.yaml");
      writeFileSync(config, "caTrust:\n  checkPresence: false\n");
      const server = await spawnServer(cleanup, ["--config", config, "--certs-dir", join(home, "certs"), "--audit-log", join(home, "audit.log")], {
        home,
        nodeArgs: ["--import", `data:text/javascript,${encodeURIComponent(source)}`],
      });
      // Serving normally first: the trigger is inert until signalled.
      const reply = await postReview({ port: server.port, ca: readFileSync(join(home, "certs", "ca.crt")) }, podReview(loadSharedFixture("jenkins-agent-dind")));
      assert.equal(reply.review.response.patchType, "JSONPatch");
      const signalledAt = Date.now();
      server.child.kill("SIGUSR2");
      const code = await server.exited;
      assert.equal(code, 70, `exit code; stderr: ${server.stderr()}`);
      assert.ok(Date.now() - signalledAt < 5_000, "exits at once, without draining");
      await waitFor(() => jsonLines(server.stdout()).some((l) => l.level === "fatal"), "the fatal line on stdout", 3_000);
      const lines = jsonLines(server.stdout());
      const fatal = lines.filter((l) => l.level === "fatal");
      assert.equal(fatal.length, 1, "exactly one fatal line");
      assert.equal(lines.at(-1), fatal[0], "and it is the last line");
      const line = fatal[0] as { msg: string; err: { message: string; stack: string; type: string } };
      assert.equal(line.msg, "fatal error; exiting so Kubernetes restarts the webhook");
      assert.match(line.err.message, /hostile fatal trigger/);
      assert.match(line.err.stack, /at /);
      assert.equal(server.stderr().trim(), "", "Node printed nothing of its own");
    });
  }

  test("a listen error at start (port taken) – one line on stderr, non-zero exit, no fatal crash dump", async (t) => {
    const cleanup = cleanupFor(t);
    const home = tempDir(cleanup);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    cleanup.after(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as AddressInfo).port;
    const result = await runCli(["serve", "--host", "127.0.0.1", "--port", String(port), "--ops-port", "0", "--certs-dir", join(home, "certs"), "--audit-log", join(home, "audit.log")], { home });
    assert.notEqual(result.code, 0);
    const stderr = result.stderr.trim().split("\n");
    assert.equal(stderr.length, 1, result.stderr);
    assert.match(stderr[0] ?? "", /EADDRINUSE/);
    assert.doesNotMatch(result.stdout, /serving POST \/mutate/);
  });
});
