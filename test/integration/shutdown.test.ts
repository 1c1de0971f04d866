/**
 * Graceful shutdown of the real `serve` process: on SIGTERM it turns unready, stops accepting, finishes
 * the requests in flight and exits 0 within the grace period; a request that never finishes is cut at
 * the end of the grace period.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanupFor, readJsonLines, sleep, spawnServer, tempDir, waitFor, type ServerProcess } from "../support/server-process.js";
import {
  collect, httpsCall, loadSharedFixture, opsCall, openTls, podReview, rawJsonBody, writeRaw, SERVICE_NAME, type RawExchange, type TlsTarget,
} from "../support/tls-client.js";

interface Started {
  server: ServerProcess;
  target: TlsTarget;
  auditPath: string;
}

async function start(t: Parameters<typeof cleanupFor>[0], graceSeconds: number): Promise<Started> {
  const cleanup = cleanupFor(t);
  const home = tempDir(cleanup);
  const config = join(home, "config.yaml");
  writeFileSync(config, `caTrust:\n  checkPresence: false\nserver:\n  shutdownGraceSeconds: ${graceSeconds}\n`);
  const auditPath = join(home, "audit.log");
  const server = await spawnServer(cleanup, ["--config", config, "--certs-dir", join(home, "certs"), "--audit-log", auditPath, "--reload-interval", "0.2"], { home });
  return { server, target: { port: server.port, ca: readFileSync(join(home, "certs", "ca.crt")) }, auditPath };
}

function logLines(server: ServerProcess): Record<string, unknown>[] {
  return server.stdout().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A request whose headers and first half of the body are sent; `finish()` sends the rest and returns the reply. */
async function startSlowRequest(target: TlsTarget, body: string): Promise<{ finish(): Promise<RawExchange>; reply: Promise<RawExchange> }> {
  const socket = await openTls(target);
  const reply = collect(socket, 20_000, (text) => {
    const at = text.indexOf("\r\n\r\n");
    const length = Number(/content-length: (\d+)/i.exec(text)?.[1]);
    return at !== -1 && Buffer.byteLength(text.slice(at + 4)) >= length;
  });
  const half = Math.floor(body.length / 2);
  await writeRaw(socket, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, half)}`);
  return {
    reply,
    finish: async () => {
      await writeRaw(socket, body.slice(half));
      const result = await reply;
      socket.destroy();
      return result;
    },
  };
}

describe("graceful shutdown of the serve process", () => {
  test("SIGTERM with requests in flight: all complete, /readyz 503 while draining, new connections refused, exit 0 in the grace period", async (t) => {
    const { server, target, auditPath } = await start(t, 10);
    const fixtures = ["gitlab-attach-dind", "jenkins-agent-dind", "tekton-taskrun-dind"] as const;
    const reviews = fixtures.map((name) => podReview(loadSharedFixture(name)));
    const slow = await Promise.all(reviews.map((r) => startSlowRequest(target, JSON.stringify(r))));
    // An idle keep-alive connection must not hold the drain up.
    const idle = await openTls(target);
    const idleClosed = collect(idle, 20_000);
    const idleAnswered = collect(idle, 20_000, (text) => text.includes("\r\n\r\n"));
    const body = JSON.stringify(podReview(loadSharedFixture("arc-ephemeral-runner-dind")));
    await writeRaw(idle, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    // The slow requests' headers reached the server before this connection's handshake did, so once it has
    // answered here it has read them (a fixed sleep would race a loaded machine).
    assert.equal((await idleAnswered).status, 200);
    assert.equal((await opsCall(server.opsPort, "/readyz")).status, 200);

    const signalledAt = Date.now();
    server.child.kill("SIGTERM");
    const draining = await waitFor(() => logLines(server).find((l) => String(l.msg).startsWith("shutting down")), "the shutdown log line");
    assert.equal(draining.inFlight, 3, "three requests in flight at SIGTERM");

    const readyz = await opsCall(server.opsPort, "/readyz");
    assert.equal(readyz.status, 503);
    assert.match(readyz.text, /shutting down/);
    assert.equal((await opsCall(server.opsPort, "/livez")).status, 200, "still alive while draining");
    await assert.rejects(httpsCall(target, { method: "GET" }), (e: NodeJS.ErrnoException) => e.code === "ECONNREFUSED", "new connections are refused");
    const idleResult = await idleClosed;
    assert.equal(idleResult.closed, true, "the idle keep-alive connection was closed by the server");
    assert.equal(idleResult.status, 200, "after its reply");

    await sleep(200); // still mid-flight after the signal
    const replies = await Promise.all(slow.map((s) => s.finish()));
    replies.forEach((reply, i) => {
      assert.equal(reply.status, 200, reply.text.slice(0, 200));
      const review = rawJsonBody<{ apiVersion: string; response: { uid: string; allowed: boolean; patchType?: string } }>(reply);
      assert.equal(review.apiVersion, "admission.k8s.io/v1");
      assert.equal(review.response.uid, (reviews[i]?.request as { uid: string }).uid);
      assert.equal(review.response.allowed, true);
      assert.equal(review.response.patchType, "JSONPatch");
      assert.match(reply.text, /connection: close/i, "told to reconnect elsewhere");
    });

    const code = await server.exited;
    const took = Date.now() - signalledAt;
    assert.equal(code, 0, `exit code; stderr:\n${server.stderr()}`);
    assert.ok(took < 10_000, `exited ${took} ms after SIGTERM, within the 10 s grace`);
    assert.ok(logLines(server).some((l) => l.msg === "shut down"), "the last log line made it out");
    const audit = readJsonLines(auditPath);
    for (const review of reviews) assert.equal(audit.filter((l) => l.uid === (review.request as { uid: string }).uid).length, 1, "audit line written before exit");
  });

  test("SIGINT with a request that never finishes: cut at the end of the grace period, exit 0", async (t) => {
    const { server, target } = await start(t, 1);
    const stalled = await startSlowRequest(target, JSON.stringify(podReview(loadSharedFixture("gitlab-attach-dind"))));
    await sleep(200);
    const signalledAt = Date.now();
    server.child.kill("SIGINT");
    const code = await server.exited;
    const took = Date.now() - signalledAt;
    assert.equal(code, 0, server.stderr());
    assert.ok(took >= 900 && took < 5_000, `exited after ${took} ms with a 1 s grace`);
    assert.ok(logLines(server).some((l) => l.msg === "grace period over; closing remaining connections" && l.inFlight === 1));
    const result = await stalled.reply;
    assert.equal(result.closed, true, "the stalled connection was closed");
  });
});
