/**
 * Slow or stalled clients cannot pin the server: headers dribbled a byte at a time, a body that stalls,
 * and an idle keep-alive connection are cut by the configured timeouts (`server.*`, applied at start),
 * while other clients keep being served.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { TLSSocket } from "node:tls";
import { CleanupStack, sleep, startInProcess, type InProcessServer } from "../support/server-process.js";
import { collect, loadSharedFixture, openTls, podReview, postReview, writeRaw, SERVICE_NAME, type TlsTarget } from "../support/tls-client.js";

const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;
const KEEP_ALIVE_TIMEOUT_MS = 1_000;

describe("slow clients", () => {
  const cleanup = new CleanupStack();
  let server: InProcessServer;
  let target: TlsTarget;
  const sockets: TLSSocket[] = [];
  before(async () => {
    server = await startInProcess(cleanup, {
      config: `caTrust:\n  checkPresence: false\nserver:\n  headersTimeoutMs: ${HEADERS_TIMEOUT_MS}\n  requestTimeoutMs: ${REQUEST_TIMEOUT_MS}\n  keepAliveTimeoutMs: ${KEEP_ALIVE_TIMEOUT_MS}\n`,
    });
    target = { port: server.port, ca: server.ca };
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await cleanup.run();
  });

  /** Sends valid reviews on fresh connections until `stop` resolves; returns how many succeeded and failed. */
  async function serveOthersUntil(stop: Promise<unknown>): Promise<{ ok: number; failed: number }> {
    let done = false;
    void stop.finally(() => (done = true));
    const counts = { ok: 0, failed: 0 };
    const body = podReview(loadSharedFixture("arc-ephemeral-runner-dind"));
    while (!done) {
      try {
        const reply = await postReview(target, body);
        if (reply.status === 200 && reply.review.response.patchType === "JSONPatch") counts.ok++;
        else counts.failed++;
      } catch {
        counts.failed++;
      }
      await sleep(50);
    }
    return counts;
  }

  test("headers sent a byte at a time, slower than headersTimeout – cut off; others served meanwhile", async () => {
    const socket = await openTls(target);
    sockets.push(socket);
    const outcome = collect(socket, 15_000);
    const startedAt = Date.now();
    const dribble = (async () => {
      const head = `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/json\r\nX-Padding: ${"p".repeat(200)}\r\n`;
      for (const byte of head) {
        if (socket.destroyed) return;
        await writeRaw(socket, byte);
        await sleep(100);
      }
    })();
    const others = serveOthersUntil(outcome);
    const result = await outcome;
    const took = Date.now() - startedAt;
    await dribble;
    const served = await others;
    assert.equal(result.closed, true, `the server cut the slow client off (waited ${took} ms)`);
    assert.ok(took >= HEADERS_TIMEOUT_MS - 100, `not before headersTimeout (${took} ms)`);
    assert.ok(took < HEADERS_TIMEOUT_MS + 3_000, `soon after headersTimeout (${took} ms)`);
    if (result.status !== undefined) assert.equal(result.status, 408);
    assert.ok(served.ok >= 3, `others were served meanwhile: ${JSON.stringify(served)}`);
    assert.equal(served.failed, 0);
  });

  test("a body that stalls after the headers – cut off by requestTimeout; others served meanwhile", async () => {
    const socket = await openTls(target);
    sockets.push(socket);
    const outcome = collect(socket, 15_000);
    const startedAt = Date.now();
    await writeRaw(socket, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"apiVersion":`);
    const others = serveOthersUntil(outcome);
    const result = await outcome;
    const took = Date.now() - startedAt;
    const served = await others;
    assert.equal(result.closed, true, `the server cut the stalled request off (waited ${took} ms)`);
    assert.ok(took < REQUEST_TIMEOUT_MS + 3_000, `soon after requestTimeout (${took} ms)`);
    assert.ok(served.ok >= 3, `others were served meanwhile: ${JSON.stringify(served)}`);
    assert.equal(served.failed, 0);
  });

  test("a TLS handshake that never starts (raw TCP, no ClientHello) – closed", async () => {
    const { connect } = await import("node:net");
    const startedAt = Date.now();
    const closed = await new Promise<boolean>((resolve) => {
      const raw = connect({ host: "127.0.0.1", port: server.port });
      const timer = setTimeout(() => {
        raw.destroy();
        resolve(false);
      }, 15_000);
      raw.on("error", () => undefined);
      raw.on("close", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    assert.equal(closed, true, `closed after ${Date.now() - startedAt} ms`);
  });

  test("an idle keep-alive connection – closed after keepAliveTimeout", async () => {
    const socket = await openTls(target);
    sockets.push(socket);
    const body = JSON.stringify(podReview(loadSharedFixture("gitlab-attach-dind")));
    const outcome = collect(socket, 10_000);
    await writeRaw(socket, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const startedAt = Date.now();
    const result = await outcome;
    const took = Date.now() - startedAt;
    assert.equal(result.status, 200);
    assert.equal(result.closed, true);
    assert.ok(took < KEEP_ALIVE_TIMEOUT_MS + 3_000, `closed ${took} ms after the reply`);
  });
});
