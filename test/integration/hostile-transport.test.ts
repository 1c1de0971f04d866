/**
 * Hostile clients against the real `serve` process, beyond test/integration/bad-input.test.ts and
 * slow-clients.test.ts: odd content types, a whole review dribbled a byte at a time, connections cut
 * mid-headers and mid-body, and the ops port probed with every method (hostile-connections.test.ts cuts
 * TLS handshakes and drops hundreds of connections). After each case the next valid review is served,
 * memory is back at its level and the logs are clean.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { CleanupStack, sleep, waitFor } from "../support/server-process.js";
import { collect, metricValue, openTls, opsCall, rawJsonBody, writeRaw, SERVICE_NAME, type TlsTarget } from "../support/tls-client.js";
import { assertValidReply, HostileHarness, markedPod, markedReview } from "../soak/support/hostile.js";
import { ISOLATED } from "../soak/support/observed-server.js";
import { checkReview } from "../soak/support/review-check.js";
import { runPool } from "../soak/support/pool.js";

function head(contentLength: number | "chunked", contentType = "application/json"): string {
  const framing = contentLength === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${contentLength}`;
  return `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: ${contentType}\r\n${framing}\r\n\r\n`;
}

/** `server.headersTimeoutMs`: the dribbling clients send their headers well within it. */
const HEADERS_TIMEOUT_MS = 2_000;

describe("hostile clients over TLS", () => {
  const cleanup = new CleanupStack();
  let h: HostileHarness;
  let target: TlsTarget;
  before(async () => {
    h = await HostileHarness.start(cleanup, { config: `${ISOLATED}server:\n  headersTimeoutMs: ${HEADERS_TIMEOUT_MS}\n  requestTimeoutMs: 10000\n` });
    target = h.server.target;
  });
  after(() => cleanup.run());

  test("content types beyond application/json – 415, or 200 for a JSON media type in any case or with parameters", async () => {
    const marker = h.marker();
    const review = markedReview("tekton-taskrun-dind", marker);
    const body = JSON.stringify(review);
    const cases: [string, string, number][] = [
      ["APPLICATION/JSON", body, 200],
      ["Application/Json ; charset=UTF-8; foo=bar", body, 200],
      ["application/json-patch+json", body, 415],
      ["application/jsonx", body, 415],
      ["application/json, text/plain", body, 415],
      ["text/json", body, 415],
      ["multipart/form-data; boundary=xyz", `--xyz\r\n\r\n${body}\r\n--xyz--`, 415],
      ["application/x-www-form-urlencoded", `review=${encodeURIComponent(body)}`, 415],
      [`application/${"x".repeat(8_000)}`, body, 415],
      ["application/json; charset=utf-16le", Buffer.from(body, "utf16le").toString("latin1"), 400],
    ];
    for (const [contentType, text, status] of cases) {
      const result = await h.post(Buffer.from(text, "latin1"), { body: status === 200 ? review : undefined }, { headers: { "Content-Type": contentType } });
      assertValidReply(result, contentType.slice(0, 60), [status]);
    }
    const gzipped = await h.post(gzipSync(body), {}, { headers: { "Content-Encoding": "gzip" } });
    assertValidReply(gzipped, "a gzip body (Content-Encoding is not supported)", [400]);
    // Two Content-Type headers: Node keeps the first; either way the reply is a review.
    const socket = await openTls(target);
    const reply = collect(socket, 5_000, (t) => t.trimEnd().endsWith("}"));
    await writeRaw(socket, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: text/plain\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const exchange = await reply;
    socket.destroy();
    assert.equal(exchange.status, 415);
    assert.deepEqual(checkReview(415, JSON.stringify(rawJsonBody(exchange))).problems, []);
    // A header beyond Node's 16 KiB limit is refused by the HTTP parser itself (431), before the route.
    const big = await openTls(target);
    const bigReply = collect(big, 5_000);
    await writeRaw(big, `POST /mutate HTTP/1.1\r\nHost: ${SERVICE_NAME}\r\nContent-Type: application/${"x".repeat(20_000)}\r\nContent-Length: 2\r\n\r\n{}`);
    const bigExchange = await bigReply;
    big.destroy();
    assert.equal(bigExchange.status, 431, bigExchange.text.slice(0, 100));
    await h.afterCase("content types");
  });

  test("a whole review dribbled (headers a byte at a time, body in 64-byte writes) by 10 clients at once – all patched; others served meanwhile", async () => {
    const marker = h.marker();
    const pod = markedPod("arc-ephemeral-runner-dind", marker);
    const dribble = async (): Promise<void> => {
      const review = markedReview("arc-ephemeral-runner-dind", marker);
      const body = JSON.stringify(review);
      const socket = await openTls(target);
      const reply = collect(socket, 20_000, (t) => t.trimEnd().endsWith("}"));
      for (const byte of head(Buffer.byteLength(body))) {
        await writeRaw(socket, byte);
        await sleep(4);
      }
      const bytes = Buffer.from(body);
      for (let at = 0; at < bytes.length; at += 64) await writeRaw(socket, bytes.subarray(at, at + 64));
      const exchange = await reply;
      socket.destroy();
      assert.equal(exchange.status, 200, exchange.text.slice(0, 200));
      const checked = checkReview(200, JSON.stringify(rawJsonBody(exchange)), { body: review, applyTo: pod });
      assert.deepEqual(checked.problems, []);
      assert.ok(checked.patch, "patched");
    };
    let done = false;
    const dribblers = Promise.all(Array.from({ length: 10 }, dribble)).finally(() => (done = true));
    let others = 0;
    while (!done) {
      assertValidReply(await h.post(JSON.stringify(markedReview("jenkins-agent-dind", marker)), {}, { fresh: true }), "a normal client meanwhile", [200]);
      others++;
      await sleep(20);
    }
    await dribblers;
    assert.ok(others >= 5, `${others} normal requests served meanwhile`);
    await h.afterCase("dribbled review");
  });

  test("connections cut mid-headers and mid-body (Content-Length and chunked, destroyed or half-closed) – nothing admitted, server unaffected", async () => {
    const marker = h.marker();
    const body = Buffer.from(JSON.stringify(markedReview("gitlab-attach-dind", marker)));
    const malformedBefore = metricValue((await opsCall(h.server.process.opsPort, "/metrics")).text, "ci_pod_webhook_bad_requests_total", { code: "REVIEW_MALFORMED" });
    const cases: { framing: number | "chunked"; cut: number; how: "destroy" | "end" }[] = [];
    for (const framing of [body.length, "chunked"] as const) {
      for (const cut of [0, 0.001, 0.1, 0.5, 0.999]) for (const how of ["destroy", "end"] as const) cases.push({ framing, cut, how });
    }
    await runPool(cases, 4, async ({ framing, cut, how }) => {
      const socket = await openTls(target);
      const outcome = collect(socket, 15_000);
      const sent = body.subarray(0, Math.floor(body.length * cut));
      await writeRaw(socket, head(framing));
      if (framing === "chunked" && sent.length > 0) await writeRaw(socket, Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), sent]));
      else await writeRaw(socket, sent);
      await sleep(50);
      if (how === "destroy") socket.destroy();
      else socket.end();
      const result = await outcome;
      assert.ok(!result.text.includes("patchType"), "nothing admitted");
      if (result.status !== undefined) assert.equal(result.status, 400, `${framing} ${cut} ${how}`);
    });
    // Headers cut short, at every few bytes.
    const headBytes = Buffer.from(head(body.length));
    await runPool(Array.from({ length: 12 }, (_, i) => Math.floor((headBytes.length * i) / 12)), 4, async (cut) => {
      const socket = await openTls(target);
      await writeRaw(socket, headBytes.subarray(0, cut));
      socket.destroy();
    });
    await waitFor(async () => {
      const now = metricValue((await opsCall(h.server.process.opsPort, "/metrics")).text, "ci_pod_webhook_bad_requests_total", { code: "REVIEW_MALFORMED" });
      return now >= malformedBefore + 10;
    }, "the aborted bodies counted as malformed", 15_000, 100);
    await h.afterCase("cut connections");
  });

  test("the ops port serves /livez, /readyz and /metrics only, to GET and HEAD; no marker in /metrics", async () => {
    const port = h.server.process.opsPort;
    const served = new Set(["/livez", "/readyz", "/metrics"]);
    const paths = ["/livez", "/readyz", "/metrics", "/mutate", "/", "/debug/pprof", "/audit", "/config", "/healthz", "/metrics/../mutate", "/%2e%2e/mutate", "//mutate", "/MUTATE"];
    for (const path of paths) {
      for (const method of ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
        const reply = await opsCall(port, path, method, method === "POST" || method === "PUT" ? JSON.stringify(markedReview("jenkins-agent-dind", h.marker())) : undefined);
        if (served.has(path) && (method === "GET" || method === "HEAD")) assert.equal(reply.status, 200, `${method} ${path}`);
        else if (served.has(path) && method === "OPTIONS") assert.match(`${reply.status} ${reply.text}`, /^(200 GET,HEAD|404 not found)/, `${method} ${path}`);
        else assert.equal(reply.status, 404, `${method} ${path}`);
        assert.ok(!reply.text.includes("AdmissionReview"), `${method} ${path} served a review`);
      }
    }
    const text = (await opsCall(port, "/metrics")).text;
    for (const marker of h.markers) assert.ok(!text.includes(marker), "a request body fragment in /metrics");
  });

  test("the process never crashed and its logs hold names and codes only", (t) => h.assertSurvived((line) => t.diagnostic(line)));
});
